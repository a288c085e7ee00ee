import fc from 'fast-check';
import { tumblingWindows } from '@geostream/windowed-aggregator';
import type { Alert, DeadLetter, WindowRecord } from '@geostream/instrument-schemas';
import { alertBytes, deadLetterBytes, kafkaChunks, windowBytes } from '../../src/core/kafka-chunks';
import { PartitionProcessor } from '../../src/core/partition-processor';
import { triggerLevelsFromSiteConfig } from '../../src/core/trigger-levels';
import { INSTRUMENTS, rawMessages, readingJson } from '../support/messages';

// Real outputs with long borehole numbers: alerts and windows of every type, dead letters.
function outputs(): { windows: WindowRecord[]; alerts: Alert[]; deadLetters: DeadLetter[] } {
  const processor = PartitionProcessor.fresh({
    topic: 'raw',
    partition: 0,
    spec: tumblingWindows({ sizeMs: 1_000, graceMs: 0 }),
    triggerLevels: triggerLevelsFromSiteConfig(undefined),
  });
  const payloads: unknown[] = [];
  for (let i = 0; i < 200; i++) {
    const instrument = { ...INSTRUMENTS[i % 5]!, borehole_number: `BH-${'x'.repeat(i)}` };
    const high = {
      piezometer: 400,
      settlement_marker: -40,
      water_standpipe: 79,
      strain_gauge: 2000,
      extensometer: 45,
    };
    payloads.push(readingJson(instrument, i * 1_000, high[instrument.instrument]));
    payloads.push(readingJson(instrument, i * 1_000 + 500, 0, { reading: 'not a number' }));
  }
  const out = processor.processBatch(rawMessages(payloads as object[]));
  const flushed = processor.flush();
  return {
    windows: [...out.windows, ...flushed.windows],
    alerts: [...out.alerts, ...flushed.alerts],
    deadLetters: out.deadLetters,
  };
}

describe('kafkaChunks', () => {
  const real = outputs();

  it('estimates a record at or above its JSON size plus its key', () => {
    expect(real.alerts.length).toBeGreaterThan(50);
    for (const w of real.windows)
      expect(windowBytes(w)).toBeGreaterThanOrEqual(JSON.stringify(w).length + w.id.length + 64);
    for (const a of real.alerts)
      expect(alertBytes(a)).toBeGreaterThanOrEqual(JSON.stringify(a).length + a.id.length + 64);
    for (const d of real.deadLetters)
      expect(deadLetterBytes(d)).toBeGreaterThanOrEqual(JSON.stringify(d).length + 64);
  });

  it('splits outputs in order into chunks under the limit, losing and repeating nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), (maxBytes) => {
        const chunks = kafkaChunks(real, maxBytes);
        expect(chunks.flatMap((c) => c.windows)).toEqual(real.windows);
        expect(chunks.flatMap((c) => c.alerts)).toEqual(real.alerts);
        expect(chunks.flatMap((c) => c.deadLetters)).toEqual(real.deadLetters);
        for (const chunk of chunks) {
          const size =
            chunk.windows.reduce((n, w) => n + windowBytes(w), 0) +
            chunk.alerts.reduce((n, a) => n + alertBytes(a), 0) +
            chunk.deadLetters.reduce((n, d) => n + deadLetterBytes(d), 0);
          const records = chunk.windows.length + chunk.alerts.length + chunk.deadLetters.length;
          expect(records === 1 || size <= maxBytes).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
    expect(kafkaChunks({ windows: [], alerts: [], deadLetters: [] })).toEqual([]);
  });
});
