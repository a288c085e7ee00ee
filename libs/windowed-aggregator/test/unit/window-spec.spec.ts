import {
  createWindowedAggregator,
  hoppingWindows,
  isWindowingError,
  sessionWindows,
  tumblingWindows,
  windowSpecFromSettings,
  windowsFor,
  type WindowedRecord,
} from '../../src';

describe('errors', () => {
  it('carry a stable code, say they are not retriable, and narrow with isWindowingError', () => {
    let caught: unknown;
    try {
      tumblingWindows({ sizeMs: 0, graceMs: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isWindowingError(caught, 'WINDOW_SPEC_INVALID')).toBe(true);
    expect(isWindowingError(caught, 'RECORD_INVALID')).toBe(false);
    expect(caught).toMatchObject({
      name: 'WindowingError',
      retriable: false,
      details: { field: 'sizeMs' },
    });
  });
});

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('window specs', () => {
  it('are frozen values holding only their own fields', () => {
    const spec = tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 });
    expect(spec).toEqual({ kind: 'tumbling', sizeMs: 10_000, graceMs: 5_000 });
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it.each([
    ['a zero size', () => tumblingWindows({ sizeMs: 0, graceMs: 0 })],
    ['a fractional size', () => tumblingWindows({ sizeMs: 1.5, graceMs: 0 })],
    ['a negative grace', () => tumblingWindows({ sizeMs: 10, graceMs: -1 })],
    ['a missing grace', () => tumblingWindows({ sizeMs: 10 } as never)],
    ['an advance above the size', () => hoppingWindows({ sizeMs: 10, advanceMs: 11, graceMs: 0 })],
    [
      'too many windows per reading',
      () => hoppingWindows({ sizeMs: 100_000, advanceMs: 1, graceMs: 0 }),
    ],
    ['a zero gap', () => sessionWindows({ gapMs: 0, graceMs: 0 })],
    [
      'an unknown kind',
      () => windowSpecFromSettings({ kind: 'sliding' as never, sizeMs: 1, graceMs: 0 }),
    ],
  ])('reject %s with WINDOW_SPEC_INVALID', (_, build) => {
    expect(codeOf(build)).toBe('WINDOW_SPEC_INVALID');
  });

  it('build from flat settings, reading only what the kind uses', () => {
    const settings = { sizeMs: 10_000, advanceMs: 5_000, gapMs: 60_000, graceMs: 5_000 };
    expect(windowSpecFromSettings({ ...settings, kind: 'tumbling' })).toEqual(
      tumblingWindows(settings),
    );
    expect(windowSpecFromSettings({ ...settings, kind: 'hopping' })).toEqual(
      hoppingWindows(settings),
    );
    expect(windowSpecFromSettings({ ...settings, kind: 'session' })).toEqual(
      sessionWindows(settings),
    );
  });

  it('assign a reading to one tumbling window: start included, end excluded', () => {
    const spec = tumblingWindows({ sizeMs: 10, graceMs: 0 });
    expect(windowsFor(spec, 0)).toEqual([{ startMs: 0, endMs: 10 }]);
    expect(windowsFor(spec, 9)).toEqual([{ startMs: 0, endMs: 10 }]);
    expect(windowsFor(spec, 10)).toEqual([{ startMs: 10, endMs: 20 }]);
    expect(windowsFor(spec, -1)).toEqual([{ startMs: -10, endMs: 0 }]);
    expect(codeOf(() => windowsFor(spec, 1.5))).toBe('ARGUMENT_INVALID');
  });
});

describe('aggregator options and records', () => {
  const spec = tumblingWindows({ sizeMs: 10, graceMs: 0 });
  const good: WindowedRecord<null> = {
    key: 'a',
    partition: 0,
    offset: 0,
    eventTimeMs: 1,
    value: 1,
    meta: null,
  };

  it.each([
    ['a zero cap', { maxOpenWindowsPerPartition: 0 }],
    ['an unknown policy', { onOverflow: 'drop' }],
  ])('reject %s with AGGREGATOR_OPTIONS_INVALID', (_, extra) => {
    expect(codeOf(() => createWindowedAggregator({ spec, ...(extra as object) }))).toBe(
      'AGGREGATOR_OPTIONS_INVALID',
    );
  });

  it.each([
    ['a NaN value', { value: Number.NaN }],
    ['an infinite value', { value: Infinity }],
    ['a fractional event time', { eventTimeMs: 1.5 }],
    ['a negative offset', { offset: -1 }],
    ['a fractional partition', { partition: 0.5 }],
    ['a non-string key', { key: 7 }],
    ['undefined meta', { meta: undefined }],
  ])('reject a record with %s as RECORD_INVALID, changing nothing', (_, change) => {
    const agg = createWindowedAggregator<null>({ spec });
    expect(codeOf(() => agg.add({ ...good, ...(change as object) }))).toBe('RECORD_INVALID');
    expect(agg.stats().total.recordsIn).toBe(0);
  });
});
