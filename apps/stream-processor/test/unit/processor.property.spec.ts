import fc from 'fast-check';
import { tumblingWindows } from '@geostream/windowed-aggregator';
import { validateWindowRecord, type WindowRecord } from '@geostream/instrument-schemas';
import { deadLetteredTotal, isBalanced } from '../../src/core/accounting';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
  type ProcessorOutputs,
} from '../../src/core/partition-processor';
import { triggerLevelsFromSiteConfig } from '../../src/core/trigger-levels';
import { defined } from '@geostream/platform/testing';
import { expectedAlerts, meanOf, oracle } from '../support/oracle';
import { streamArbitrary, type GeneratedStream } from '../support/stream-arbitrary';

const SPEC = { sizeMs: 5_000, graceMs: 1_000 };
const options: PartitionProcessorOptions = {
  topic: 'raw',
  partition: 0,
  spec: tumblingWindows(SPEC),
  triggerLevels: triggerLevelsFromSiteConfig(undefined),
};

interface Run {
  readonly outputs: ProcessorOutputs[];
  readonly processor: PartitionProcessor;
}

/**
 * Feeds a stream message by message, flushing where the stream says, and at each cut throws
 * the processor away and continues from its checkpoint taken through JSON, as a restart does.
 */
function run(stream: GeneratedStream, cuts: ReadonlySet<number> = new Set(), batch = 1): Run {
  let processor = PartitionProcessor.fresh(options);
  const outputs: ProcessorOutputs[] = [];
  for (let i = 0; i < stream.messages.length; i += batch) {
    const last = Math.min(i + batch, stream.messages.length) - 1;
    outputs.push(processor.processBatch(stream.messages.slice(i, last + 1)));
    for (let j = i; j <= last; j++) if (stream.flushAfter.has(j)) outputs.push(processor.flush());
    if (cuts.has(last))
      processor = PartitionProcessor.restore(
        options,
        JSON.parse(JSON.stringify(processor.checkpoint())),
      );
  }
  outputs.push(processor.flush());
  return { outputs, processor };
}

type Listed = 'windows' | 'alerts' | 'deadLetters';
const all = <K extends Listed>(
  outputs: ProcessorOutputs[],
  key: K,
): ProcessorOutputs[K][number][] => outputs.flatMap((o) => o[key] as ProcessorOutputs[K][number][]);

// Flushes in these tests only happen at message boundaries, so batching must keep them there.
const flushFree = (stream: GeneratedStream): GeneratedStream => ({
  ...stream,
  flushAfter: new Set(),
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
        const expected = oracle(stream.messages, SPEC, stream.flushAfter);
        const windows = all(outputs, 'windows');
        expect(windows.map((w) => w.id).sort()).toEqual([...expected.windows.keys()].sort());
        for (const window of windows) {
          const model = defined(expected.windows.get(window.id), `model window ${window.id}`);
          expect(validateWindowRecord(window).ok).toBe(true);
          expect(window).toMatchObject<Partial<WindowRecord>>({
            reading_count: model.values.length,
            reading_mean: meanOf(model),
            reading_min: Math.min(...model.values),
            reading_max: Math.max(...model.values),
            first_timestamp: new Date(Math.min(...model.times)).toISOString(),
            last_timestamp: new Date(Math.max(...model.times)).toISOString(),
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
        expect(JSON.stringify(restarted.processor.checkpoint())).toBe(
          JSON.stringify(straight.processor.checkpoint()),
        );
      }),
      { numRuns: 120 },
    );
  });

  it('does not depend on how the log is cut into batches', () => {
    fc.assert(
      fc.property(streamArbitrary(), fc.integer({ min: 2, max: 30 }), (generated, batch) => {
        const stream = flushFree(generated);
        const single = run(stream);
        const batched = run(stream, new Set([batch, batch * 2]), batch);
        for (const key of ['windows', 'alerts', 'deadLetters'] as const)
          expect(all(batched.outputs, key)).toEqual(all(single.outputs, key));
      }),
      { numRuns: 100 },
    );
  });
});
