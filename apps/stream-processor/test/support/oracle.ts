import {
  TRIGGER_DIRECTIONS,
  alertId,
  classifyDirection,
  decodeRawMessage,
  instrumentKey,
  resolveTriggerLevels,
  windowId,
  type InstrumentType,
  type ReasonCode,
  type SiteConfig,
  type TriggerDirection,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import {
  DEFAULT_KEY_RETENTION_MS,
  DEFAULT_MAX_QUIET_WAIT_MS,
  tumblingWindows,
} from '@geostream/windowed-aggregator';
import { PerKeyModel } from '@geostream/windowed-aggregator/testing';
import type { RawMessage } from '../../src/core/raw-message';
import { deadLetterTimeOf } from '../../src/core/raw-message';

/**
 * A naive model of the processor for tumbling windows, written from the rules rather than from
 * the processor: validation and dead letters from the message bytes, windows and lateness from
 * the per-instrument time rules (PerKeyModel of @geostream/windowed-aggregator/testing, the
 * plain-written model the aggregator is tested against), each reading's log time being its
 * record's Kafka timestamp; alerts from the windows of each instrument in order.
 */
export interface ExpectedWindow {
  readonly id: string;
  readonly instrument: string;
  readonly borehole_number: string;
  readonly startMs: number;
  readonly count: number;
  /** Exact: the tests use dyadic values, so sums are exact in a double. */
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly latest: { surface_level: number; northing: number; easting: number };
}

export interface ExpectedDeadLetter {
  readonly offset: string;
  readonly item: number | null;
  readonly reason: ReasonCode;
}

export interface ExpectedAlert {
  readonly id: string;
  readonly kind: 'raise' | 'clear';
  readonly from_level: TriggerLevel;
  readonly to_level: TriggerLevel;
}

export interface OracleResult {
  readonly windows: Map<string, ExpectedWindow>;
  readonly deadLetters: ExpectedDeadLetter[];
  readonly counted: number;
  readonly duplicates: number;
  readonly readings: number;
}

type Position = ExpectedWindow['latest'];

/** The processor's settings the model must share. */
export interface OracleOptions {
  readonly maxEventTimeAheadMs?: number;
  readonly maxQuietWaitMs?: number;
}

export function oracle(
  messages: readonly RawMessage[],
  spec: { sizeMs: number; graceMs: number },
  /** Log-clock advances (an idle partition): after message index -> to this log time. */
  advances: ReadonlyMap<number, number> = new Map(),
  options: OracleOptions = {},
): OracleResult {
  const model = new PerKeyModel<Position>({
    spec: tumblingWindows(spec),
    maxOpenWindows: Number.MAX_SAFE_INTEGER,
    onOverflow: 'evict-oldest',
    maxQuietWaitMs: options.maxQuietWaitMs ?? DEFAULT_MAX_QUIET_WAIT_MS,
    keyRetentionMs: DEFAULT_KEY_RETENTION_MS,
  });
  const done = new Map<string, ExpectedWindow>();
  const deadLetters: ExpectedDeadLetter[] = [];
  let counted = 0;
  let duplicates = 0;
  let readings = 0;
  let sequence = 0;
  const keep = (windows: ReturnType<typeof model.flush>): void => {
    for (const w of windows) {
      const colon = w.key.indexOf(':');
      const instrument = w.key.slice(0, colon) as InstrumentType;
      const borehole = w.key.slice(colon + 1);
      const id = windowId(instrument, borehole, w.windowStartMs);
      done.set(id, {
        id,
        instrument,
        borehole_number: borehole,
        startMs: w.windowStartMs,
        count: w.count,
        sum: w.sum,
        min: w.min,
        max: w.max,
        firstMs: w.firstEventTimeMs,
        lastMs: w.lastEventTimeMs,
        latest: w.latestMeta,
      });
    }
  };

  messages.forEach((message, index) => {
    const decoded = decodeRawMessage(message.value ?? new Uint8Array(0));
    readings += decoded.readings.length + decoded.problems.length;
    for (const problem of decoded.problems)
      deadLetters.push({
        offset: message.offset,
        item: problem.itemIndex ?? null,
        reason: problem.code,
      });
    const rejected = new Set(
      decoded.problems.map((p) => p.itemIndex).filter((i) => i !== undefined),
    );
    const logTimeMs = deadLetterTimeOf(message);
    let item = -1;
    for (const reading of decoded.readings) {
      do item++;
      while (rejected.has(item));
      const itemIndex = decoded.envelope ? item : null;
      if (
        options.maxEventTimeAheadMs !== undefined &&
        logTimeMs > 0 &&
        reading.timestampMs > logTimeMs + options.maxEventTimeAheadMs
      ) {
        deadLetters.push({ offset: message.offset, item: itemIndex, reason: 'invalid_timestamp' });
        continue;
      }
      const result = model.add({
        key: instrumentKey(reading.instrument, reading.borehole_number),
        partition: 0,
        offset: sequence++,
        eventTimeMs: reading.timestampMs,
        value: reading.reading,
        meta: {
          surface_level: reading.surface_level,
          northing: reading.northing,
          easting: reading.easting,
        },
        ...(logTimeMs > 0 && { logTimeMs }),
      });
      keep(result.closed);
      if (result.duplicate) duplicates++;
      else if (result.aggregated) counted++;
      else deadLetters.push({ offset: message.offset, item: itemIndex, reason: 'late' });
    }
    const advance = advances.get(index);
    if (advance !== undefined) keep(model.advanceLogTime(0, advance));
  });
  keep(model.flush(0));
  return { windows: done, deadLetters, counted, duplicates, readings };
}

export function meanOf(window: ExpectedWindow): number {
  return window.sum / window.count;
}

/** Alerts the default alerting options give: one per level change per direction. */
export function expectedAlerts(
  windows: Iterable<ExpectedWindow>,
  siteConfig?: SiteConfig,
): ExpectedAlert[] {
  const byInstrument = new Map<string, ExpectedWindow[]>();
  for (const window of windows) {
    const key = instrumentKey(window.instrument as never, window.borehole_number);
    byInstrument.set(key, [...(byInstrument.get(key) ?? []), window]);
  }
  const alerts: ExpectedAlert[] = [];
  for (const list of byInstrument.values()) {
    list.sort((a, b) => a.startMs - b.startMs);
    const level: Record<TriggerDirection, TriggerLevel> = { rising: 'none', falling: 'none' };
    for (const window of list) {
      const levels = resolveTriggerLevels(
        siteConfig,
        window.instrument as never,
        window.borehole_number,
        window.latest.surface_level,
      );
      for (const direction of TRIGGER_DIRECTIONS) {
        const thresholds = levels[direction];
        const now =
          thresholds === undefined
            ? 'none'
            : classifyDirection(meanOf(window), direction, thresholds);
        const was = level[direction];
        if (now === was) continue;
        const rank = ['none', 'alert', 'alarm', 'action'];
        const kind = rank.indexOf(now) > rank.indexOf(was) ? 'raise' : 'clear';
        alerts.push({
          id: alertId(window.id, direction, kind, now),
          kind,
          from_level: was,
          to_level: now,
        });
        level[direction] = now;
      }
    }
  }
  return alerts;
}
