import fc from 'fast-check';
import {
  hoppingWindows,
  sessionWindows,
  tumblingWindows,
  type WindowedRecord,
  type WindowSpec,
} from '../src';

export interface Meta {
  readonly note: string;
}

/** Keys live in one partition each, as with Kafka keyed by instrument. */
const PARTITION_OF: Record<string, number> = { a: 0, b: 0, c: 1, d: 1 };

export const specs: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc
    .record({ sizeMs: fc.integer({ min: 1, max: 20 }), graceMs: fc.integer({ min: 0, max: 15 }) })
    .map(tumblingWindows),
  fc
    .record({
      sizeMs: fc.integer({ min: 1, max: 20 }),
      step: fc.integer({ min: 1, max: 20 }),
      graceMs: fc.integer({ min: 0, max: 15 }),
    })
    .map(({ sizeMs, step, graceMs }) =>
      hoppingWindows({ sizeMs, advanceMs: Math.min(step, sizeMs), graceMs }),
    ),
  fc
    .record({ gapMs: fc.integer({ min: 1, max: 15 }), graceMs: fc.integer({ min: 0, max: 15 }) })
    .map(sessionWindows),
);

const readings = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    step: fc.integer({ min: 0, max: 6 }),
    thousandths: fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
    delay: fc.nat(),
    copies: fc.oneof(
      { weight: 5, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) },
    ),
  }),
  { maxLength: 60, size: 'medium' },
);

/**
 * Readings in event-time order, then delivered shuffled by at most `maxDelayMs` (each reading
 * arrives after every reading at least maxDelayMs older), some delivered two or three times.
 * With maxDelayMs = grace no reading is late.
 */
export function shuffledStream(
  maxDelayMs: (spec: WindowSpec) => number,
  start = fc.integer({ min: -100, max: 100 }),
) {
  return fc.tuple(specs, start, readings).map(([spec, startMs, rs]) => {
    const bound = maxDelayMs(spec);
    let t = startMs;
    const deliveries: {
      key: string;
      t: number;
      value: number;
      due: number;
      seq: number;
      copy: number;
    }[] = [];
    rs.forEach((r, i) => {
      t += r.step;
      for (let copy = 0; copy < r.copies; copy++) {
        const delay = bound === 0 ? 0 : (r.delay + copy * 7919) % (bound + 1);
        // A repeat may carry another value: the first delivery must win.
        deliveries.push({
          key: r.key,
          t,
          value: (r.thousandths + copy) / 1000,
          due: t + delay,
          seq: i,
          copy,
        });
      }
    });
    deliveries.sort((x, y) => x.due - y.due || x.seq - y.seq || x.copy - y.copy);
    const nextOffset = [0, 0];
    const records: WindowedRecord<Meta>[] = deliveries.map((d) => {
      const partition = PARTITION_OF[d.key] ?? 0;
      return {
        key: d.key,
        partition,
        offset: (nextOffset[partition] = (nextOffset[partition] ?? 0) + 1) - 1,
        eventTimeMs: d.t,
        value: d.value,
        meta: { note: `${d.key}@${d.t}#${d.copy}` },
      };
    });
    return { spec, records };
  });
}

/** Any order at all: readings up to 40 ms late, so some are. */
export const anyStream = shuffledStream(() => 40);
/** Shuffled only within the grace period: nothing is late. */
export const inGraceStream = shuffledStream((spec) => spec.graceMs);

export type Op =
  | { readonly kind: 'record'; readonly record: WindowedRecord<Meta> }
  | { readonly kind: 'advanceLogTime'; readonly partition: number; readonly logTimeMs: number }
  | { readonly kind: 'flush'; readonly partition: number };

/**
 * How a key's readings reach the log: `clockMs` is how far its clock is off (positive: ahead),
 * `jitterMs` the most a live reading waits, `uploadEveryMs` (> 0) a store-and-forward node that
 * holds its readings and uploads them in one burst every so often.
 */
const profiles = fc.record({
  clockMs: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: -60, max: 60 }) },
  ),
  jitterMs: fc.integer({ min: 0, max: 6 }),
  uploadEveryMs: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 5, max: 40 }) },
  ),
});

/**
 * Each key reads on its own clock and rhythm: live, store-and-forward, fast or slow; the
 * partition's log is the merge of their deliveries by log time (the Kafka timestamp), with
 * some readings re-delivered and a few arriving far later than their key's others.
 */
export const keyedStream = fc
  .tuple(
    specs,
    fc.integer({ min: -100, max: 100 }),
    fc.record({ a: profiles, b: profiles, c: profiles, d: profiles }),
    readings,
    fc.array(fc.nat(), { maxLength: 3 }),
  )
  .map(([spec, startMs, profileOf, rs, stragglers]) => {
    const clock: Record<string, number> = { a: startMs, b: startMs, c: startMs, d: startMs };
    const deliveries: { key: string; t: number; log: number; value: number; seq: number }[] = [];
    rs.forEach((r, i) => {
      const profile = profileOf[r.key as 'a' | 'b' | 'c' | 'd'];
      const trueTime = (clock[r.key] = (clock[r.key] ?? startMs) + r.step);
      const t = trueTime + profile.clockMs;
      const sent =
        profile.uploadEveryMs > 0
          ? Math.ceil((trueTime + 1) / profile.uploadEveryMs) * profile.uploadEveryMs
          : trueTime + (r.delay % (profile.jitterMs + 1));
      for (let copy = 0; copy < r.copies; copy++)
        deliveries.push({
          key: r.key,
          t,
          log: sent + copy * 3,
          value: (r.thousandths + copy) / 1000,
          seq: i,
        });
    });
    // A few readings reach the log long after their key's others (a backfill, a lost upload).
    for (const n of stragglers) {
      const d = deliveries[n % Math.max(1, deliveries.length)];
      if (d !== undefined) d.log += 100 + (n % 50);
    }
    deliveries.sort((x, y) => x.log - y.log || x.seq - y.seq);
    const nextOffset = [0, 0];
    const records: WindowedRecord<Meta>[] = deliveries.map((d, i) => {
      const partition = PARTITION_OF[d.key] ?? 0;
      return {
        key: d.key,
        partition,
        offset: (nextOffset[partition] = (nextOffset[partition] ?? 0) + 1) - 1,
        eventTimeMs: d.t,
        value: d.value,
        meta: { note: `${d.key}@${d.t}#${i}` },
        logTimeMs: d.log,
      };
    });
    return { spec, records };
  });

/** A keyed stream with explicit log-time advances and flushes slipped in between records. */
export const opStream = fc
  .tuple(
    keyedStream,
    fc.array(
      fc.record({
        at: fc.nat(),
        partition: fc.integer({ min: 0, max: 1 }),
        flush: fc.boolean(),
        ahead: fc.integer({ min: 0, max: 200 }),
      }),
      { maxLength: 4 },
    ),
  )
  .map(([{ spec, records }, extras]) => {
    const ops: Op[] = records.map((record) => ({ kind: 'record', record }));
    for (const extra of extras) {
      const at = records.length === 0 ? 0 : extra.at % (ops.length + 1);
      const before = ops
        .slice(0, at)
        .flatMap((op) => (op.kind === 'record' ? [op.record.logTimeMs ?? 0] : []));
      const logTimeMs = (before.length ? Math.max(...before) : 0) + extra.ahead;
      ops.splice(
        at,
        0,
        extra.flush
          ? { kind: 'flush', partition: extra.partition }
          : { kind: 'advanceLogTime', partition: extra.partition, logTimeMs },
      );
    }
    return { spec, ops };
  });
