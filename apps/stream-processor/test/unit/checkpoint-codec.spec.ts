import { tumblingWindows } from '@geostream/windowed-aggregator';
import { decodeInstrumentRow, encodeInstrumentRow } from '../../src/core/checkpoint-codec';
import type { InstrumentCheckpointState } from '../../src/core/checkpoint-state';
import { PartitionProcessor } from '../../src/core/partition-processor';
import { alarmRulesFromSiteConfig } from '../../src/core/trigger-levels';
import { INSTRUMENTS, rawMessages, readingJson } from '../support/messages';

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Five minutes of a logger reading every second: open windows, rate buckets, learnt gaps. */
function checkpointAfterFiveMinutes() {
  const processor = PartitionProcessor.fresh({
    topic: 'raw',
    partition: 0,
    spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
    siteConfig: undefined,
    alarmRules: alarmRulesFromSiteConfig(undefined),
    clockToleranceMs: 3_600_000,
  });
  const readings = [];
  for (let s = 0; s < 300; s++)
    for (const instrument of INSTRUMENTS)
      readings.push(readingJson(instrument, s * 1_000 + 137, 10 + Math.sin(s / 7)));
  processor.processBatch(rawMessages(readings));
  return processor.checkpoint();
}

describe('checkpoint rows (compact form, version 3)', () => {
  const write = checkpointAfterFiveMinutes();

  it('decode back, through JSON, to exactly the named parts they were made of', () => {
    expect(write.upserts.length).toBeGreaterThanOrEqual(4); // a standpipe at 10 m may be refused
    for (const { key, state } of write.upserts) {
      const parts = decodeInstrumentRow(key, viaJson(state));
      expect(parts.aggregator).toMatchObject({ key, windows: [expect.any(Object)] });
      expect(parts.alarms).toMatchObject({
        rate: { schema_version: 1, buckets: expect.any(Array) },
        silence: { schema_version: 1, gaps_ms: expect.any(Array) },
        clock: null,
      });
      // Encoding the decoded parts gives the same row: nothing is lost or rounded.
      expect(viaJson(encodeInstrumentRow(parts as InstrumentCheckpointState))).toEqual(
        viaJson(state),
      );
    }
  });

  it('take well under half the bytes of the same parts with field names (version 2)', () => {
    let compact = 0;
    let named = 0;
    for (const { key, state } of write.upserts) {
      compact += JSON.stringify(state).length;
      named += JSON.stringify(decodeInstrumentRow(key, state)).length;
    }
    expect(compact / named).toBeLessThan(0.45);
  });
});
