import example from '../site-config.example.json';
import { INSTRUMENT_SPECS } from './instrument-types';
import { MAX_IDENTIFIER_BYTES, MAX_IDENTIFIER_LENGTH } from './schemas/patterns';
import {
  parseSiteConfig,
  resolveRateRule,
  resolveSilenceRule,
  resolveTriggerLevels,
} from './site-config';

/** [path, code] of every problem, or [] when the config is valid. */
function problemsOf(config: unknown): [string, string][] {
  const result = parseSiteConfig(config);
  return result.ok ? [] : result.problems.map((p) => [p.path, p.code]);
}

describe('parseSiteConfig', () => {
  it('accepts the example site configuration', () => {
    expect(parseSiteConfig(example)).toEqual({ ok: true, value: example });
  });

  it('reports every problem with its path', () => {
    const result = parseSiteConfig({
      version: 1,
      defualts: {},
      defaults: { piezometer: { rising: { alert: 300, alarm: 200, action: 350 } } },
      instruments: [
        {
          instrument: 'piezometer',
          borehole_number: 'P-1',
          trigger_levels: { falling: { alert: -1, alarm: -2 } },
        },
        {
          instrument: 'piezometer',
          borehole_number: 'P-1',
          trigger_levels: { rising: { alert: 1, alarm: 2, action: 3 } },
        },
      ],
    });
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
      ['defualts', 'unknown_field'],
      ['defaults.piezometer.rising', 'invalid_threshold_order'],
      ['instruments[0].trigger_levels.falling.action', 'missing_field'],
      ['instruments[1]', 'duplicate_entry'],
    ]);
  });

  it('holds override borehole numbers to the identifier rule readings follow', () => {
    const levels = { rising: { alert: 1, alarm: 2, action: 3 } };
    const override = (borehole_number: string) => ({
      instrument: 'piezometer',
      borehole_number,
      trigger_levels: levels,
    });
    const longest = 'B'.repeat(MAX_IDENTIFIER_LENGTH); // 128 code points
    expect(parseSiteConfig({ version: 1, instruments: [override(longest)] }).ok).toBe(true);
    const widest = '\u{1F600}'.repeat(MAX_IDENTIFIER_BYTES / 4); // 64 code points, 256 bytes
    expect(parseSiteConfig({ version: 1, instruments: [override(widest)] }).ok).toBe(true);
    const result = parseSiteConfig({
      version: 1,
      instruments: [
        override('B'.repeat(MAX_IDENTIFIER_LENGTH + 1)),
        override('P-1\n'),
        override('P\u00002'),
        override(' '),
      ],
    });
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code, p.message])).toEqual([
      [
        'instruments[0].borehole_number',
        'invalid_value',
        'instruments[0].borehole_number must be at most 128 characters, got 129',
      ],
      [
        'instruments[1].borehole_number',
        'invalid_value',
        'instruments[1].borehole_number must not contain control characters',
      ],
      [
        'instruments[2].borehole_number',
        'invalid_value',
        'instruments[2].borehole_number must not contain control characters',
      ],
      [
        'instruments[3].borehole_number',
        'empty_string',
        'instruments[3].borehole_number must not be empty or blank',
      ],
    ]);
  });
});

describe('resolveTriggerLevels', () => {
  const parsed = parseSiteConfig(example);
  const config = parsed.ok ? parsed.value : undefined;

  it('prefers the instrument entry and makes standpipe levels absolute', () => {
    expect(resolveTriggerLevels(config, 'water_standpipe', 'BH-4493', 79.45)).toEqual({
      rising: { alert: 76.95, alarm: 77.45, action: 77.95 },
    });
  });

  it('falls back to the site default for the type, then to the library default', () => {
    expect(resolveTriggerLevels(config, 'piezometer', 'P-9', 10)).toEqual({
      rising: { alert: 220, alarm: 260, action: 300 },
    });
    expect(resolveTriggerLevels(undefined, 'water_standpipe', 'BH-1', 80)).toEqual({
      rising: { alert: 78.5, alarm: 79, action: 79.5 },
    });
  });
});

describe('parseSiteConfig: rate-of-change and silence rules', () => {
  const rate = { direction: 'falling', over: '24h', unit: 'mm/day', alarm: 2 };
  const silence = { learn_interval: { floor: '1min', ceiling: '1d' } };

  it('accepts rules, "off", and entries that override only some rules', () => {
    expect(
      problemsOf({
        version: 1,
        rate_of_change_defaults: { settlement_marker: rate, strain_gauge: 'off' },
        silence_defaults: { piezometer: { expected_interval: '15min' }, extensometer: 'off' },
        instruments: [
          { instrument: 'settlement_marker', borehole_number: 'SM-1', rate_of_change: 'off' },
          { instrument: 'piezometer', borehole_number: 'P-1', silence },
          // The micro sign and the Greek mu are the same unit to anyone typing it.
          {
            instrument: 'strain_gauge',
            borehole_number: 'SG-1',
            rate_of_change: { ...rate, direction: 'both', unit: '\u03bc\u03b5/h' },
          },
        ],
      }),
    ).toEqual([]);
  });

  it('names the malformed rule and the reason, so start-up fails pointing at it', () => {
    const result = parseSiteConfig({
      version: 1,
      rate_of_change_defaults: {
        settlement_marker: { ...rate, unit: 'm/day' },
        piezometer: { direction: 'up', over: '24 hours', unit: 'kPa/h', alert: 20, alarm: 10 },
        extensometer: { direction: 'both', over: '30s', unit: 'mm/day' },
        water_standpipe: { ...rate, unit: 'm/day', alarm: -1, clear_margin: -0.1, levels: {} },
        strain_gauge: 'of',
      },
      silence_defaults: {
        piezometer: { expected_interval: '15min', learn_interval: silence.learn_interval },
        settlement_marker: { learn_interval: { floor: '2h', ceiling: '1h' }, multiplier: 0.5 },
        extensometer: { multiplier: 3, level: 'none' },
        water_standpipe: { expected_interval: '31d' },
      },
      instruments: [{ instrument: 'piezometer', borehole_number: 'P-1' }],
    });
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code, p.message])).toEqual([
      [
        'rate_of_change_defaults.settlement_marker.unit',
        'invalid_value',
        'rate_of_change_defaults.settlement_marker.unit must be mm (the unit of settlement_marker ' +
          'readings) per s, min, h, d or day, such as "mm/day", got the string "m/day"',
      ],
      [
        'rate_of_change_defaults.piezometer.direction',
        'invalid_value',
        'rate_of_change_defaults.piezometer.direction must be one of rising, falling, both, got the string "up"',
      ],
      [
        'rate_of_change_defaults.piezometer.over',
        'invalid_value',
        'rate_of_change_defaults.piezometer.over must be a number and a unit (s, min, h or d) ' +
          'without a space, such as "90s", "15min", "24h", got the string "24 hours"',
      ],
      [
        'rate_of_change_defaults.piezometer',
        'invalid_threshold_order',
        'rate_of_change_defaults.piezometer must have alert < alarm, got 20 and 10',
      ],
      [
        'rate_of_change_defaults.extensometer.over',
        'invalid_value',
        'rate_of_change_defaults.extensometer.over must be between 1min and 30d, got "30s"',
      ],
      [
        'rate_of_change_defaults.extensometer',
        'missing_field',
        'rate_of_change_defaults.extensometer needs at least one level: alert, alarm or action',
      ],
      [
        'rate_of_change_defaults.water_standpipe.levels',
        'unknown_field',
        'rate_of_change_defaults.water_standpipe.levels is not a known field',
      ],
      [
        'rate_of_change_defaults.water_standpipe.alarm',
        'invalid_value',
        'rate_of_change_defaults.water_standpipe.alarm must be a rate magnitude above 0 (the ' +
          'direction gives the sign), got -1',
      ],
      [
        'rate_of_change_defaults.water_standpipe.clear_margin',
        'invalid_value',
        'rate_of_change_defaults.water_standpipe.clear_margin must be 0 or more, got -0.1',
      ],
      [
        'rate_of_change_defaults.strain_gauge',
        'invalid_value',
        'rate_of_change_defaults.strain_gauge must be a rule or "off", got the string "of"',
      ],
      [
        'silence_defaults.piezometer',
        'invalid_value',
        'silence_defaults.piezometer needs exactly one of expected_interval and learn_interval',
      ],
      [
        'silence_defaults.settlement_marker.learn_interval',
        'invalid_value',
        'silence_defaults.settlement_marker.learn_interval.floor (2h) must not exceed its ceiling (1h)',
      ],
      [
        'silence_defaults.settlement_marker.multiplier',
        'invalid_value',
        'silence_defaults.settlement_marker.multiplier must be 1 or more, got 0.5',
      ],
      [
        'silence_defaults.extensometer',
        'missing_field',
        'silence_defaults.extensometer needs exactly one of expected_interval and learn_interval',
      ],
      [
        'silence_defaults.extensometer.level',
        'invalid_value',
        'silence_defaults.extensometer.level must be one of alert, alarm, action, got the string "none"',
      ],
      [
        'silence_defaults.water_standpipe.expected_interval',
        'invalid_value',
        'silence_defaults.water_standpipe.expected_interval must be between 1s and 30d, got "31d"',
      ],
      [
        'instruments[0]',
        'missing_field',
        'instruments[0] needs trigger_levels, rate_of_change or silence',
      ],
    ]);
  });

  it('names rules of instrument entries by their index', () => {
    expect(
      problemsOf({
        version: 1,
        instruments: [
          { instrument: 'piezometer', borehole_number: 'P-1', silence: { expected_interval: 900 } },
          { instrument: 'piezometer', borehole_number: 'P-2', rate_of_change: { ...rate } },
        ],
      }),
    ).toEqual([
      ['instruments[0].silence.expected_interval', 'wrong_type'],
      ['instruments[1].rate_of_change.unit', 'invalid_value'],
    ]);
  });
});

describe('resolveRateRule and resolveSilenceRule', () => {
  const parsed = parseSiteConfig(example);
  const config = parsed.ok ? parsed.value : undefined;

  it('take the instrument entry first, then the site default, then the library default', () => {
    expect(resolveRateRule(config, 'settlement_marker', 'SM-12')).toMatchObject({
      direction: 'falling',
      intervalMs: 6 * 3_600_000,
      unit: 'mm/h',
      perMs: 3_600_000,
      levels: { alert: 0.1, alarm: 0.25 },
      clearMargin: 0,
    });
    expect(resolveRateRule(config, 'settlement_marker', 'SM-1')).toMatchObject({
      intervalMs: 86_400_000,
      perMs: 86_400_000,
      levels: { alert: 1, alarm: 2, action: 4 },
      clearMargin: 0.2,
    });
    expect(resolveRateRule(config, 'extensometer', 'E-1')?.config).toBe(
      INSTRUMENT_SPECS.extensometer.defaultRateOfChange,
    );
    expect(resolveRateRule(undefined, 'piezometer', 'P-1')).toMatchObject({
      direction: 'rising',
      unit: 'kPa/h',
      levels: { alert: 5, alarm: 10, action: 20 },
    });
  });

  it('give undefined for "off", at the type or the instrument', () => {
    expect(resolveRateRule(config, 'strain_gauge', 'SG-1')).toBeUndefined();
    expect(resolveSilenceRule(config, 'extensometer', 'E-3')).toBeUndefined();
    expect(resolveSilenceRule(config, 'extensometer', 'E-4')).toBeDefined();
  });

  it('resolve silence rules with their defaults filled in', () => {
    expect(resolveSilenceRule(config, 'piezometer', 'P-7')).toEqual({
      expected: { kind: 'fixed', intervalMs: 7_200_000 },
      multiplier: 2,
      level: 'alarm',
    });
    expect(resolveSilenceRule(config, 'settlement_marker', 'SM-1')).toEqual({
      expected: { kind: 'learnt', floorMs: 60_000, ceilingMs: 21_600_000 },
      multiplier: 4,
      level: 'alert',
    });
    expect(resolveSilenceRule(undefined, 'strain_gauge', 'SG-1')).toEqual({
      expected: { kind: 'learnt', floorMs: 60_000, ceilingMs: 86_400_000 },
      multiplier: 3,
      level: 'alarm',
    });
  });

  it('keep inherited trigger levels for an entry that overrides only its rate rule', () => {
    expect(resolveTriggerLevels(config, 'settlement_marker', 'SM-12', 0)).toEqual(
      resolveTriggerLevels(config, 'settlement_marker', 'SM-1', 0),
    );
  });

  it('build a rule once per configured rule object', () => {
    expect(resolveRateRule(config, 'settlement_marker', 'SM-1')).toBe(
      resolveRateRule(config, 'settlement_marker', 'SM-2'),
    );
  });
});
