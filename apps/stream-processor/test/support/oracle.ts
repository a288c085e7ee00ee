import {
  TRIGGER_DIRECTIONS,
  alertId,
  classifyDirection,
  decodeRawMessage,
  instrumentKey,
  resolveTriggerLevels,
  windowId,
  type ReasonCode,
  type SiteConfig,
  type TriggerDirection,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import type { RawMessage } from '../../src/core/raw-message';
import { defined } from '@geostream/platform/testing';

/**
 * A naive model of the processor for tumbling windows, written from the rules rather than from
 * the aggregator: a window [start, start + size) closes once the highest event time seen minus
 * grace reaches its end, or at a flush; a reading is late when its window closed before it
 * arrived, a duplicate when its instrument already has a reading at that instant in the window.
 */
export interface ExpectedWindow {
  readonly id: string;
  readonly instrument: string;
  readonly borehole_number: string;
  readonly startMs: number;
  readonly values: number[];
  readonly times: number[];
  latest: { t: number; seq: number; surface_level: number; northing: number; easting: number };
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

export function oracle(
  messages: readonly RawMessage[],
  spec: { sizeMs: number; graceMs: number },
  flushAfter: ReadonlySet<number> = new Set(),
): OracleResult {
  const open = new Map<string, ExpectedWindow>();
  const done = new Map<string, ExpectedWindow>();
  const deadLetters: ExpectedDeadLetter[] = [];
  let maxTime = -Infinity;
  let advancedTo = -Infinity;
  let counted = 0;
  let duplicates = 0;
  let readings = 0;
  let seq = 0;

  const closeUpTo = (horizon: number): void => {
    for (const [id, window] of open)
      if (window.startMs + spec.sizeMs <= horizon) {
        open.delete(id);
        done.set(id, window);
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
    const isEnvelope =
      decoded.readings.length > 0 &&
      JSON.parse(
        Buffer.from(defined(message.value, `value of message ${message.offset}`)).toString(),
      ).items !== undefined;
    let item = -1;
    for (const reading of decoded.readings) {
      do item++;
      while (rejected.has(item));
      const t = reading.timestampMs;
      maxTime = Math.max(maxTime, t);
      closeUpTo(Math.max(maxTime - spec.graceMs, advancedTo));
      const startMs = Math.floor(t / spec.sizeMs) * spec.sizeMs;
      const horizon = Math.max(maxTime - spec.graceMs, advancedTo);
      if (startMs + spec.sizeMs <= horizon) {
        deadLetters.push({
          offset: message.offset,
          item: isEnvelope ? item : null,
          reason: 'late',
        });
        continue;
      }
      const id = windowId(reading.instrument, reading.borehole_number, startMs);
      let window = open.get(id);
      if (window?.times.includes(t)) {
        duplicates++;
        continue;
      }
      if (window === undefined) {
        window = {
          id,
          instrument: reading.instrument,
          borehole_number: reading.borehole_number,
          startMs,
          values: [],
          times: [],
          latest: { t: -Infinity, seq: -1, surface_level: 0, northing: 0, easting: 0 },
        };
        open.set(id, window);
      }
      window.values.push(reading.reading);
      window.times.push(t);
      seq++;
      if (t >= window.latest.t)
        window.latest = {
          t,
          seq,
          surface_level: reading.surface_level,
          northing: reading.northing,
          easting: reading.easting,
        };
      counted++;
    }
    if (flushAfter.has(index) && open.size > 0) {
      let latestEnd = -Infinity;
      for (const window of open.values())
        latestEnd = Math.max(latestEnd, window.startMs + spec.sizeMs);
      advancedTo = Math.max(advancedTo, latestEnd);
      closeUpTo(advancedTo);
    }
  });
  for (const [id, window] of open) done.set(id, window);
  return { windows: done, deadLetters, counted, duplicates, readings };
}

export function meanOf(window: ExpectedWindow): number {
  return window.values.reduce((a, b) => a + b, 0) / window.values.length;
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
