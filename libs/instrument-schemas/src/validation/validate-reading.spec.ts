import { validateReading } from './validate-reading';

const reference = {
  borehole_number: 'BH-4493',
  instrument: 'water_standpipe',
  surface_level: 79.45,
  northing: 5815854,
  easting: 323112,
  reading: 75.07,
  timestamp: '2022-05-02T08:02:20.073Z',
};

function codesOf(value: unknown): Array<[string, string]> {
  const result = validateReading(value);
  return result.ok ? [] : result.problems.map((p) => [p.path, p.code]);
}

describe('validateReading', () => {
  it('accepts the reference API example as version 1 and adds UTC milliseconds', () => {
    expect(validateReading(reference)).toEqual({
      ok: true,
      value: { ...reference, timestampMs: Date.parse(reference.timestamp) },
    });
  });

  it('accepts an explicit version 1 and drops unknown fields', () => {
    const result = validateReading({ ...reference, version: 1, firmware: '2.1' });
    expect(result.ok && Object.keys(result.value)).toEqual([
      'instrument',
      'borehole_number',
      'surface_level',
      'northing',
      'easting',
      'reading',
      'timestamp',
      'timestampMs',
    ]);
  });

  it('normalises a zoned timestamp to UTC milliseconds', () => {
    const result = validateReading({ ...reference, timestamp: '2022-05-02 10:02:20.0739+02:00' });
    expect(result.ok && result.value.timestamp).toBe('2022-05-02T08:02:20.073Z');
    expect(result.ok && result.value.timestampMs).toBe(Date.parse('2022-05-02T08:02:20.073Z'));
  });

  it.each([
    ['missing field', { ...reference, reading: undefined }, 'reading', 'missing_field'],
    ['null', { ...reference, northing: null }, 'northing', 'null_value'],
    ['empty string', { ...reference, borehole_number: '' }, 'borehole_number', 'empty_string'],
    ['blank string', { ...reference, borehole_number: '  ' }, 'borehole_number', 'empty_string'],
    ['wrong type', { ...reference, easting: true }, 'easting', 'wrong_type'],
    ['quoted number', { ...reference, reading: '75.07' }, 'reading', 'wrong_type'],
    ['NaN', { ...reference, reading: NaN }, 'reading', 'non_finite_number'],
    ['Infinity', { ...reference, surface_level: Infinity }, 'surface_level', 'non_finite_number'],
    ['"NaN" string', { ...reference, reading: 'NaN' }, 'reading', 'non_finite_number'],
    ['"-Infinity" string', { ...reference, reading: '-Infinity' }, 'reading', 'non_finite_number'],
    [
      'unparseable timestamp',
      { ...reference, timestamp: 'yesterday' },
      'timestamp',
      'invalid_timestamp',
    ],
    [
      '30 February',
      { ...reference, timestamp: '2022-02-30T08:00:00Z' },
      'timestamp',
      'invalid_timestamp',
    ],
    [
      'epoch number timestamp',
      { ...reference, timestamp: 1651478540073 },
      'timestamp',
      'wrong_type',
    ],
    [
      'zone-less timestamp',
      { ...reference, timestamp: '2022-05-02T08:02:20.073' },
      'timestamp',
      'timestamp_without_zone',
    ],
    [
      'unknown instrument',
      { ...reference, instrument: 'inclinometer' },
      'instrument',
      'unknown_instrument',
    ],
    ['standpipe above ground', { ...reference, reading: 85 }, 'reading', 'out_of_physical_range'],
    [
      'piezometer too high',
      { ...reference, instrument: 'piezometer', reading: 2000.5 },
      'reading',
      'out_of_physical_range',
    ],
    ['unknown version', { ...reference, version: 2 }, 'version', 'unsupported_version'],
  ])('rejects %s with a precise code', (_name, value, path, code) => {
    expect(codesOf(value)).toEqual([[path, code]]);
  });

  it('names every problem, not just the first', () => {
    expect(codesOf({ instrument: 'water_standpipe', reading: 'x', timestamp: null })).toEqual([
      ['borehole_number', 'missing_field'],
      ['surface_level', 'missing_field'],
      ['northing', 'missing_field'],
      ['easting', 'missing_field'],
      ['reading', 'wrong_type'],
      ['timestamp', 'null_value'],
    ]);
  });

  it.each([null, [], 'reading', 42])('rejects %p as not an object', (value) => {
    expect(codesOf(value)).toEqual([['', 'not_an_object']]);
  });
});

describe('values some sink would refuse are refused here, with a reason', () => {
  const base = reference;
  const problemsOf = (message: unknown) => {
    const result = validateReading(message);
    return result.ok ? [] : result.problems.map((p) => [p.path, p.code]);
  };

  it.each([
    ['year 0000 (PostgreSQL has no year 0)', '0000-01-01T00:00:00Z'],
    ['year 9999 (a window would end in year 10000)', '9999-12-31T23:59:55Z'],
    ['1899, before the accepted years', '1899-12-31T23:59:59Z'],
    ['2100, after them', '2100-01-01T00:00:00Z'],
  ])('a timestamp in %s is timestamp_out_of_range', (_what, timestamp) => {
    expect(problemsOf({ ...base, timestamp })).toEqual([['timestamp', 'timestamp_out_of_range']]);
  });

  it.each([
    ['a logger reset to 1970', '1970-01-01T00:00:07Z'],
    ['one reset to 2000', '2000-01-01T00:00:00Z'],
    ['the first accepted year', '1900-01-01T00:00:00+01:00'],
    ['the last', '2099-12-31T23:59:59.999Z'],
  ])('a timestamp of %s is accepted (a clock problem, reported elsewhere)', (_what, timestamp) => {
    expect(problemsOf({ ...base, timestamp })).toEqual([]);
  });

  it.each([
    ['surface_level', 9_000.5],
    ['surface_level', -1e308],
    ['northing', 1e12],
    ['easting', -10_000_001],
  ])('%s %p is out_of_physical_range', (field, value) => {
    expect(problemsOf({ ...base, [field]: value })).toEqual([[field, 'out_of_physical_range']]);
  });

  it("does not judge a standpipe's reading from an implausible surface level", () => {
    expect(
      problemsOf({ ...base, instrument: 'water_standpipe', surface_level: 1e300, reading: 1e300 }),
    ).toEqual([['surface_level', 'out_of_physical_range']]);
  });
});
