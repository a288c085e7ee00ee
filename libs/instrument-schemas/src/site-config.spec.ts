import example from '../site-config.example.json';
import { MAX_IDENTIFIER_BYTES, MAX_IDENTIFIER_LENGTH } from './schemas/patterns';
import { parseSiteConfig, resolveTriggerLevels } from './site-config';

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
