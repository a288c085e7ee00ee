import { formatDurationMs, parseDurationMs, ratePerMs } from './alarm-rules';

describe('parseDurationMs', () => {
  it.each([
    ['90s', 90_000],
    ['15min', 900_000],
    ['1.5h', 5_400_000],
    ['24h', 86_400_000],
    ['2d', 172_800_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['24 h', '24hours', 'h', '-1h', '1e3s', '015min', '1.h', '5ms', ' 5s', '5S'])(
    'refuses %p',
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});

describe('formatDurationMs', () => {
  it.each([
    [900_000, '15min'],
    [86_400_000, '1d'],
    [5_400_000, '90min'],
    [1500, '1.5s'],
    [0, '0s'],
  ])('%d ms is %s, which parses back', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
    if (Number.isInteger(ms / 1000)) expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('ratePerMs', () => {
  it("accepts the type's own unit per a time unit", () => {
    expect(ratePerMs('mm/day', 'settlement_marker')).toBe(86_400_000);
    expect(ratePerMs('mm/d', 'settlement_marker')).toBe(86_400_000);
    expect(ratePerMs('kPa/h', 'piezometer')).toBe(3_600_000);
    expect(ratePerMs('m/min', 'water_standpipe')).toBe(60_000);
    expect(ratePerMs('µε/s', 'strain_gauge')).toBe(1000);
  });

  it('refuses another unit, another time base or no time base', () => {
    expect(ratePerMs('m/day', 'settlement_marker')).toBeUndefined();
    expect(ratePerMs('mm/week', 'settlement_marker')).toBeUndefined();
    expect(ratePerMs('kpa/h', 'piezometer')).toBeUndefined();
    expect(ratePerMs('mm', 'settlement_marker')).toBeUndefined();
    expect(ratePerMs('/day', 'settlement_marker')).toBeUndefined();
  });
});
