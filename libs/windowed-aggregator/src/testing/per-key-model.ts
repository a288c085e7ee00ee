import {
  windowsFor,
  type CloseCause,
  type KeyArrival,
  type LateReason,
  type OverflowPolicy,
  type WindowBounds,
  type WindowedRecord,
  type WindowSpec,
} from '../index';
import { exactSum } from './exact-sum';

/**
 * The per-key time rules written the plain way: every key a plain object, every window a list
 * of its readings, every decision recomputed from scratch, no queues, buckets, recycling or
 * lazy scheduling. Slow and obviously right; the aggregator must give exactly what it gives.
 *
 * Rules (README, "Time"):
 * - each key's watermark is its own highest event time - grace: its windows ending by it close;
 * - the log's clock (highest log time) closes a key's oldest window once it passes
 *   min(end + grace + delayHigh + (delayHigh - delayLow), lastLogTime + maxQuietWait), the
 *   key's arrival model updated by every reading: delay = log time - event time, both bounds
 *   forgetting half the elapsed log time;
 * - a reading is late only against its own key: windows ending at or before its watermark, or
 *   emitted otherwise (quiet, flush, eviction); sessions also before the end of an emitted one;
 * - a key without open windows is forgotten keyRetention after its last log time.
 */
export interface ModelOptions {
  readonly spec: WindowSpec;
  readonly maxOpenWindows: number;
  readonly onOverflow: OverflowPolicy;
  readonly maxQuietWaitMs: number;
  readonly keyRetentionMs: number;
}

export interface ModelWindow<M> {
  readonly key: string;
  readonly partition: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly count: number;
  readonly sum: number;
  readonly sumOfMagnitudes: number;
  readonly min: number;
  readonly max: number;
  readonly firstEventTimeMs: number;
  readonly lastEventTimeMs: number;
  readonly latestMeta: M;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly closedBy: CloseCause;
  readonly early: boolean;
  readonly arrival: KeyArrival | null;
}

export interface ModelResult<M> {
  readonly closed: ModelWindow<M>[];
  readonly aggregated: boolean;
  readonly late: { reason: LateReason; windows: WindowBounds[]; watermarkMs: number } | undefined;
  readonly duplicate: boolean;
  readonly replayed: boolean;
}

interface Open<M> {
  start: number;
  end: number;
  members: WindowedRecord<M>[];
}

interface Key<M> {
  maxEvent: number;
  closedUntil: number;
  closedReason: LateReason;
  lastLog: number;
  high: number;
  low: number;
  windows: Open<M>[];
}

interface Partition<M> {
  keys: Map<string, Key<M>>;
  logTime: number;
  nextOffset: number;
}

const REASON: Record<CloseCause, LateReason> = {
  watermark: 'window_closed',
  quiet: 'window_quiet',
  flush: 'window_flushed',
  evicted: 'window_evicted',
};

export class PerKeyModel<M> {
  private readonly partitions = new Map<number, Partition<M>>();

  constructor(private readonly options: ModelOptions) {}

  add(record: WindowedRecord<M>): ModelResult<M> {
    const p = this.partition(record.partition);
    const closed: ModelWindow<M>[] = [];
    if (record.offset < p.nextOffset)
      return { closed, aggregated: false, late: undefined, duplicate: false, replayed: true };
    p.nextOffset = record.offset + 1;
    const { spec } = this.options;
    const t = record.eventTimeMs;
    let k = p.keys.get(record.key);
    if (k === undefined) {
      k = {
        maxEvent: -Infinity,
        closedUntil: -Infinity,
        closedReason: 'window_closed',
        lastLog: -Infinity,
        high: 0,
        low: 0,
        windows: [],
      };
      p.keys.set(record.key, k);
    }
    if (record.logTimeMs !== undefined) observe(k, record.logTimeMs, t);
    if (t > k.maxEvent) {
      k.maxEvent = t;
      for (const w of [...k.windows].sort(byStart))
        if (w.end <= t - spec.graceMs) this.close(p, record.key, k, w, 'watermark', closed);
    }

    const outcome =
      spec.kind === 'session' ? this.placeSession(p, k, record) : this.placeTime(p, k, record);

    if (record.logTimeMs !== undefined && record.logTimeMs > p.logTime)
      this.advance(p, record.logTimeMs, closed);
    if (this.options.onOverflow === 'evict-oldest')
      while (this.openCount(p) > this.options.maxOpenWindows) {
        const [oldest] = this.allOpen(p).sort(byEndKeyStart);
        if (oldest === undefined) break;
        this.close(p, oldest.key, oldest.state, oldest.window, 'evicted', closed);
      }
    return { closed, ...outcome, replayed: false };
  }

  advanceLogTime(partition: number, logTimeMs: number): ModelWindow<M>[] {
    const closed: ModelWindow<M>[] = [];
    this.advance(this.partition(partition), logTimeMs, closed);
    return closed;
  }

  flush(partition: number): ModelWindow<M>[] {
    const p = this.partition(partition);
    const closed: ModelWindow<M>[] = [];
    for (const { key, state, window } of this.allOpen(p).sort(byEndKeyStart))
      this.close(p, key, state, window, 'flush', closed);
    return closed;
  }

  openWindows(partition: number): number {
    return this.openCount(this.partition(partition));
  }

  keyCount(partition: number): number {
    return this.partition(partition).keys.size;
  }

  private horizon(k: Key<M>): number {
    return Math.max(k.maxEvent - this.options.spec.graceMs, k.closedUntil);
  }

  private lateReason(k: Key<M>, end: number): LateReason {
    return end <= k.maxEvent - this.options.spec.graceMs ? 'window_closed' : k.closedReason;
  }

  private placeTime(p: Partition<M>, k: Key<M>, r: WindowedRecord<M>) {
    const spec = this.options.spec as Exclude<WindowSpec, { kind: 'session' }>;
    const all = windowsFor(spec, r.eventTimeMs);
    const horizon = this.horizon(k);
    const missed = all.filter((w) => w.endMs <= horizon);
    const open = all.filter((w) => w.endMs > horizon);
    const lateOf = (windows: WindowBounds[]) => ({
      reason: this.lateReason(k, windows[windows.length - 1]?.endMs ?? -Infinity),
      windows,
      watermarkMs: horizon,
    });
    if (open.length === 0) return { aggregated: false, late: lateOf(missed), duplicate: false };
    const late = missed.length > 0 ? lateOf(missed) : undefined;
    if (k.windows.some((w) => w.members.some((m) => m.eventTimeMs === r.eventTimeMs)))
      return { aggregated: false, late, duplicate: true };
    const missing = open.filter((w) => !k.windows.some((o) => o.start === w.startMs)).length;
    if (
      this.options.onOverflow === 'reject-record' &&
      this.openCount(p) + missing > this.options.maxOpenWindows
    )
      return {
        aggregated: false,
        late: { reason: 'open_window_limit' as const, windows: all, watermarkMs: horizon },
        duplicate: false,
      };
    for (const w of open) {
      let window = k.windows.find((o) => o.start === w.startMs);
      if (window === undefined) {
        window = { start: w.startMs, end: w.endMs, members: [] };
        k.windows.push(window);
        k.windows.sort(byStart);
      }
      window.members.push(r);
    }
    return { aggregated: true, late, duplicate: false };
  }

  private placeSession(p: Partition<M>, k: Key<M>, r: WindowedRecord<M>) {
    const gap = (this.options.spec as { gapMs: number }).gapMs;
    const t = r.eventTimeMs;
    const horizon = this.horizon(k);
    const own = [{ startMs: t, endMs: t + gap }];
    if (t < k.closedUntil)
      return {
        aggregated: false,
        late: { reason: this.lateReason(k, k.closedUntil), windows: own, watermarkMs: horizon },
        duplicate: false,
      };
    if (k.windows.some((w) => w.members.some((m) => m.eventTimeMs === t)))
      return { aggregated: false, late: undefined, duplicate: true };
    const touching = k.windows.filter((w) => w.start - gap < t && t < w.end);
    if (touching.length === 0) {
      if (t + gap <= horizon)
        return {
          aggregated: false,
          late: { reason: this.lateReason(k, t + gap), windows: own, watermarkMs: horizon },
          duplicate: false,
        };
      if (
        this.options.onOverflow === 'reject-record' &&
        this.openCount(p) >= this.options.maxOpenWindows
      )
        return {
          aggregated: false,
          late: { reason: 'open_window_limit' as const, windows: own, watermarkMs: horizon },
          duplicate: false,
        };
      k.windows.push({ start: t, end: t + gap, members: [r] });
      k.windows.sort(byStart);
    } else {
      const members = [...touching.flatMap((w) => w.members), r];
      k.windows = k.windows.filter((w) => !touching.includes(w));
      const times = members.map((m) => m.eventTimeMs);
      k.windows.push({ start: Math.min(...times), end: Math.max(...times) + gap, members });
      k.windows.sort(byStart);
    }
    return { aggregated: true, late: undefined, duplicate: false };
  }

  private quietAt(k: Key<M>): number {
    const [oldest] = [...k.windows].sort(byStart);
    if (oldest === undefined || k.lastLog === -Infinity) return Infinity;
    return Math.min(
      oldest.end + this.options.spec.graceMs + k.high + (k.high - k.low),
      k.lastLog + this.options.maxQuietWaitMs,
    );
  }

  private advance(p: Partition<M>, logTime: number, closed: ModelWindow<M>[]): void {
    if (logTime <= p.logTime) return;
    p.logTime = logTime;
    const due = [...p.keys]
      .map(([key, k]) => ({ key, k, at: this.quietAt(k) }))
      .filter(({ at }) => at <= logTime)
      .sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { key, k } of due)
      while (k.windows.length > 0 && this.quietAt(k) <= logTime)
        this.close(p, key, k, [...k.windows].sort(byStart)[0] as Open<M>, 'quiet', closed);
    for (const [key, k] of [...p.keys])
      if (
        k.windows.length === 0 &&
        k.lastLog !== -Infinity &&
        k.lastLog + this.options.keyRetentionMs <= logTime
      )
        p.keys.delete(key);
  }

  private close(
    p: Partition<M>,
    key: string,
    k: Key<M>,
    w: Open<M>,
    cause: CloseCause,
    out: ModelWindow<M>[],
  ): void {
    k.windows = k.windows.filter((o) => o !== w);
    if ((cause !== 'watermark' || this.options.spec.kind === 'session') && w.end > k.closedUntil) {
      k.closedUntil = w.end;
      k.closedReason = REASON[cause];
    }
    const values = w.members.map((m) => m.value);
    const times = w.members.map((m) => m.eventTimeMs);
    const offsets = w.members.map((m) => m.offset);
    const latest = w.members.reduce((a, b) => (b.eventTimeMs > a.eventTimeMs ? b : a));
    out.push({
      key,
      partition: w.members[0]?.partition ?? -1,
      windowStartMs: w.start,
      windowEndMs: w.end,
      count: w.members.length,
      sum: exactSum(values),
      sumOfMagnitudes: values.reduce((s, v) => s + Math.abs(v), 0),
      min: Math.min(...values),
      max: Math.max(...values),
      firstEventTimeMs: Math.min(...times),
      lastEventTimeMs: Math.max(...times),
      latestMeta: latest.meta,
      minOffset: Math.min(...offsets),
      maxOffset: Math.max(...offsets),
      closedBy: cause,
      early: cause === 'evicted',
      arrival:
        k.lastLog === -Infinity
          ? null
          : { lastLogTimeMs: k.lastLog, delayLowMs: k.low, delayHighMs: k.high },
    });
    void p;
  }

  private openCount(p: Partition<M>): number {
    let n = 0;
    for (const k of p.keys.values()) n += k.windows.length;
    return n;
  }

  private allOpen(p: Partition<M>) {
    return [...p.keys].flatMap(([key, state]) =>
      state.windows.map((window) => ({ key, state, window })),
    );
  }

  private partition(partition: number): Partition<M> {
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { keys: new Map(), logTime: -Infinity, nextOffset: 0 };
      this.partitions.set(partition, p);
    }
    return p;
  }
}

function observe<M>(k: Key<M>, logTime: number, eventTime: number): void {
  const delay = logTime - eventTime;
  if (k.lastLog === -Infinity) {
    k.high = delay;
    k.low = delay;
    k.lastLog = logTime;
    return;
  }
  const forget = Math.max(0, Math.floor((logTime - k.lastLog) / 2));
  k.high = Math.max(delay, k.high - forget);
  k.low = Math.min(delay, k.low + forget);
  k.lastLog = Math.max(k.lastLog, logTime);
}

function byStart<M>(a: Open<M>, b: Open<M>): number {
  return a.start - b.start;
}

function byEndKeyStart<M>(
  a: { key: string; window: Open<M> },
  b: { key: string; window: Open<M> },
): number {
  return (
    a.window.end - b.window.end ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) ||
    a.window.start - b.window.start
  );
}
