import { tumblingWindows } from '@geostream/windowed-aggregator';
import {
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  LEVEL_CHANGE_KEY,
  encodeTriggerLevelChange,
  type TriggerLevelChange,
} from '@geostream/instrument-schemas';
import { isBalanced } from '../../src/core/accounting';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
  type ProcessorOutputs,
} from '../../src/core/partition-processor';
import type { RawMessage } from '../../src/core/raw-message';
import { CheckpointStore } from '../support/checkpoint-store';
import { INSTRUMENTS, T0, rawMessages, readingJson } from '../support/messages';

const piezometer = INSTRUMENTS[0] as (typeof INSTRUMENTS)[number];

const options: PartitionProcessorOptions = {
  topic: 'raw',
  partition: 0,
  spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
  siteConfig: undefined,
  clockToleranceMs: 3_600_000,
};

const closeAll = (processor: PartitionProcessor) => processor.advanceLogTime(T0 + 30 * 86_400_000);

/** A piezometer at 280 kPa: above the library's alert level (250), below 300. */
const reading = (atMs: number) => readingJson(piezometer, atMs, 280);

function change(over: Partial<TriggerLevelChange> = {}): TriggerLevelChange {
  return {
    version: 1,
    change_id: 5,
    instrument: 'piezometer',
    borehole_number: piezometer.borehole_number,
    trigger_levels: { rising: { alert: 300, alarm: 350, action: 400 } },
    changed_by: 'admin',
    changed_at: '2026-12-05T07:00:00.000Z',
    ...over,
  };
}

/** A level-change record as the dashboard writes it (its bytes may be given instead). */
function control(content: TriggerLevelChange | string, kind = LEVEL_CHANGE_CONTROL): RawMessage {
  return {
    offset: '0',
    key: Buffer.from(LEVEL_CHANGE_KEY),
    value: Buffer.from(typeof content === 'string' ? content : encodeTriggerLevelChange(content)),
    timestamp: String(T0 + 1_000_000),
    headers: { [CONTROL_HEADER]: Buffer.from(kind) },
  };
}

/** Readings (as JSON) and control records, given consecutive offsets from 0. */
function log(...entries: (RawMessage | Record<string, unknown>)[]): RawMessage[] {
  return entries.map((entry, i) => {
    const [message] = 'headers' in entry ? [entry as RawMessage] : rawMessages([entry]);
    return { ...(message as RawMessage), offset: String(i), timestamp: String(T0 + 1_000_000 + i) };
  });
}

const levelsOf = (outs: ProcessorOutputs[]) =>
  outs.flatMap((out) => out.windows.map((w) => [w.window_start, w.trigger_level]));

describe('trigger-level changes in the raw log', () => {
  // Window [0, 10 s) closes when the reading at 16 s comes; [10 s, 20 s) at 31 s; the
  // change sits between them in the log.
  const timeline = log(
    reading(1_000),
    reading(11_000),
    reading(16_000),
    control(change()),
    reading(31_000),
  );

  it('judges every window closed after a change on the new levels, in the first run and in any replay', () => {
    const whole = PartitionProcessor.fresh(options);
    const first = [whole.processBatch(timeline), closeAll(whole)];
    expect(levelsOf(first)).toEqual([
      [new Date(T0).toISOString(), 'alert'],
      [new Date(T0 + 10_000).toISOString(), 'none'],
      [new Date(T0 + 30_000).toISOString(), 'none'],
    ]);
    expect(first[0]?.levelChanges).toEqual([change()]);

    // Restarted from a checkpoint at every position, the processor gives the same windows.
    for (let cut = 1; cut < timeline.length; cut++) {
      const before = PartitionProcessor.fresh(options);
      const head = before.processBatch(timeline.slice(0, cut));
      const store = new CheckpointStore().checkpoint(before);
      const after = PartitionProcessor.restore(options, store.stored());
      const rest = [after.processBatch(timeline.slice(cut)), closeAll(after)];
      expect(levelsOf([head, ...rest])).toEqual(levelsOf(first));
    }
  });

  it('ignores a re-sent copy of an older change; a return to the file brings the file’s levels back', () => {
    const processor = PartitionProcessor.fresh(options);
    const outs = [
      processor.processBatch(
        log(
          control(change({ change_id: 5 })),
          reading(1_000),
          // A copy of change 4 re-sent after change 5 (the dashboard crashed mid-publish).
          control(
            change({ change_id: 4, trigger_levels: { rising: { alert: 1, alarm: 2, action: 3 } } }),
          ),
          reading(16_000),
          control(change({ change_id: 6, trigger_levels: null })),
          reading(31_000),
          // After the return to the file, a re-sent copy of the change it undid stays ignored.
          control(change({ change_id: 5 })),
          reading(46_000),
        ),
      ),
      closeAll(processor),
    ];
    expect(levelsOf(outs).map(([, level]) => level)).toEqual(['none', 'alert', 'alert', 'alert']);
    expect(outs[0]?.levelChanges.map((c) => c.change_id)).toEqual([5, 6]);
  });

  it('gives a type’s change to its instruments without levels of their own', () => {
    const processor = PartitionProcessor.fresh(options);
    const outs = [
      processor.processBatch(log(control(change({ borehole_number: null })), reading(1_000))),
      closeAll(processor),
    ];
    expect(levelsOf(outs).map(([, level]) => level)).toEqual(['none']);
  });

  it('dead-letters a control record it cannot read, and never takes one for a reading', () => {
    const processor = PartitionProcessor.fresh(options);
    const out = processor.processBatch(
      log(
        control(change(), 'trigger-levels/2'),
        control('{not json'),
        control(change({ trigger_levels: { rising: { alert: 3, alarm: 2, action: 1 } } })),
        // A valid reading's bytes under the control header are still not a reading.
        control(JSON.stringify(reading(1_000))),
      ),
    );
    expect(out.deadLetters.map((d) => d.reason)).toEqual([
      'unsupported_version',
      'not_json',
      'invalid_threshold_order',
      'missing_field',
    ]);
    expect(out.deadLetters[2]?.payload_utf8).toContain('"change_id":5');
    expect(out.accounting).toMatchObject({ messages: 4, readings: 4, counted: 0 });
    expect(isBalanced(processor.accounting)).toBe(true);
    expect(closeAll(processor).windows).toEqual([]);
  });

  it('reads checkpoints written before level changes existed, and refuses a malformed list', () => {
    const processor = PartitionProcessor.fresh(options);
    processor.processBatch(log(control(change()), reading(1_000)));
    const stored = new CheckpointStore().checkpoint(processor).stored();
    const header = stored.state as Record<string, unknown>;
    expect(header['levelChanges']).toEqual([change()]);
    const { levelChanges: _dropped, ...older } = header;
    expect(header['version']).toBe(4);
    const restored = PartitionProcessor.restore(options, {
      ...stored,
      state: { ...older, version: 3 },
    });
    expect(levelsOf([closeAll(restored)]).map(([, level]) => level)).toEqual(['alert']);
    expect(() =>
      PartitionProcessor.restore(options, {
        ...stored,
        state: { ...header, levelChanges: [{ change_id: 1 }] },
      }),
    ).toThrow(/levelChanges/);
  });
});
