import fc from 'fast-check';
import { tumblingWindows } from '@geostream/windowed-aggregator';
import { validateWindowRecord, type WindowRecord } from '@geostream/instrument-schemas';
import { deadLetteredTotal, isBalanced } from '../../src/core/accounting';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
  type ProcessorOutputs,
} from '../../src/core/partition-processor';
import { defined } from '@geostream/platform/testing';
import { CheckpointStore } from '../support/checkpoint-store';
import { T0 } from '../support/messages';
import { expectedAlerts, meanOf, oracle } from '../support/oracle';
import { streamArbitrary, type GeneratedStream } from '../support/stream-arbitrary';

const SPEC = { sizeMs: 5_000, graceMs: 1_000 };
const MAX_AHEAD_MS = 5_000;
const options: PartitionProcessorOptions = {
  topic: 'raw',
  partition: 0,
  spec: tumblingWindows(SPEC),
  siteConfig: undefined,
  maxEventTimeAheadMs: MAX_AHEAD_MS,
};

interface Run {
  readonly outputs: ProcessorOutputs[];
  readonly processor: PartitionProcessor;
  readonly store: CheckpointStore;
}

/** A month past T0 in the log: every instrument's windows have gone quiet. */
const END_OF_LOG = T0 + 30 * 86_400_000;

/**
 * Feeds a stream message by message, advancing the log clock where the stream says (as an idle
 * partition's would be), checkpointing (incrementally) after every batch, and at each cut
 * throws the processor away and continues from every checkpoint written, as a restart does.
 */
function run(stream: GeneratedStream, cuts: ReadonlySet<number> = new Set(), batch = 1): Run {
  let processor = PartitionProcessor.fresh(options);
  const store = new CheckpointStore();
  const outputs: ProcessorOutputs[] = [];
  for (let i = 0; i < stream.messages.length; i += batch) {
    const last = Math.min(i + batch, stream.messages.length) - 1;
    outputs.push(processor.processBatch(stream.messages.slice(i, last + 1)));
    for (let j = i; j <= last; j++) {
      const advance = stream.advanceAfter.get(j);
      if (advance !== undefined) outputs.push(processor.advanceLogTime(advance));
    }
    store.checkpoint(processor);
    if (cuts.has(last)) processor = PartitionProcessor.restore(options, store.stored());
  }
  outputs.push(processor.advanceLogTime(END_OF_LOG));
  store.checkpoint(processor);
  return { outputs, processor, store };
}

type Listed = 'windows' | 'alerts' | 'deadLetters';
const all = <K extends Listed>(
  outputs: ProcessorOutputs[],
  key: K,
): ProcessorOutputs[K][number][] => outputs.flatMap((o) => o[key] as ProcessorOutputs[K][number][]);

// Advances in these tests only happen at message boundaries, so batching must keep them there.
const advanceFree = (stream: GeneratedStream): GeneratedStream => ({
  ...stream,
  advanceAfter: new Map(),
});

describe('PartitionProcessor properties', () => {
  it('accounts for every input reading exactly once: counted, duplicate or dead-lettered', () => {
    fc.assert(
      fc.property(streamArbitrary(), (stream) => {
        const { outputs, processor } = run(stream);
        const totals = processor.accounting;
        expect(isBalanced(totals)).toBe(true);
        expect(all(outputs, 'deadLetters')).toHaveLength(deadLetteredTotal(totals));
        const windows = all(outputs, 'windows');
        expect(windows.reduce((n, w) => n + w.reading_count, 0)).toBe(totals.counted);
        expect(totals.messages).toBe(stream.messages.length);
      }),
      { numRuns: 150 },
    );
  });

  it('emits exactly the windows, dead letters and alerts of a naive model of the rules', () => {
    fc.assert(
      fc.property(streamArbitrary(), (stream) => {
        const { outputs, processor } = run(stream);
        const expected = oracle(stream.messages, SPEC, stream.advanceAfter, {
          maxEventTimeAheadMs: MAX_AHEAD_MS,
        });
        const windows = all(outputs, 'windows');
        expect(windows.map((w) => w.id).sort()).toEqual([...expected.windows.keys()].sort());
        for (const window of windows) {
          const model = defined(expected.windows.get(window.id), `model window ${window.id}`);
          expect(validateWindowRecord(window).ok).toBe(true);
          expect(window).toMatchObject<Partial<WindowRecord>>({
            reading_count: model.count,
            reading_mean: meanOf(model),
            reading_min: model.min,
            reading_max: model.max,
            first_timestamp: new Date(model.firstMs).toISOString(),
            last_timestamp: new Date(model.lastMs).toISOString(),
            surface_level: model.latest.surface_level,
          });
        }
        expect(
          all(outputs, 'deadLetters').map((d) => ({
            offset: d.source.offset,
            item: d.item_index,
            reason: d.reason,
          })),
        ).toEqual(expected.deadLetters);
        expect(processor.accounting).toMatchObject({
          readings: expected.readings,
          counted: expected.counted,
          duplicates: expected.duplicates,
        });
        const alerts = all(outputs, 'alerts');
        expect(alerts.map((a) => a.id).sort()).toEqual(
          expectedAlerts(expected.windows.values())
            .map((a) => a.id)
            .sort(),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('writes the same outputs and state whether it runs straight or restarts from checkpoints anywhere', () => {
    fc.assert(
      fc.property(streamArbitrary(), fc.array(fc.nat(80), { maxLength: 6 }), (stream, cuts) => {
        const straight = run(stream);
        const restarted = run(stream, new Set(cuts));
        for (const key of ['windows', 'alerts', 'deadLetters'] as const)
          expect(all(restarted.outputs, key)).toEqual(all(straight.outputs, key));
        expect(restarted.store.stored()).toEqual(straight.store.stored());
      }),
      { numRuns: 120 },
    );
  });

  it('does not depend on how the log is cut into batches', () => {
    fc.assert(
      fc.property(streamArbitrary(), fc.integer({ min: 2, max: 30 }), (generated, batch) => {
        const stream = advanceFree(generated);
        const single = run(stream);
        const batched = run(stream, new Set([batch, batch * 2]), batch);
        for (const key of ['windows', 'alerts', 'deadLetters'] as const)
          expect(all(batched.outputs, key)).toEqual(all(single.outputs, key));
      }),
      { numRuns: 100 },
    );
  });
});
