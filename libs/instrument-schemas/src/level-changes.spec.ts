import {
  applyLevelChanges,
  levelScopeKey,
  parseTriggerLevelChange,
  type TriggerLevelChange,
} from './level-changes';
import type { SiteConfig } from './schemas/site-config';
import { parseSiteConfig, resolveRateRule, resolveTriggerLevels } from './site-config';

const change = (over: Partial<TriggerLevelChange> = {}): TriggerLevelChange => ({
  version: 1,
  change_id: 7,
  instrument: 'piezometer',
  borehole_number: 'P-1',
  trigger_levels: { rising: { alert: 100, alarm: 150, action: 200 } },
  changed_by: 'admin',
  changed_at: '2026-12-05T07:00:00.000Z',
  ...over,
});

function problemsOf(json: unknown): [string, string][] {
  const result = parseTriggerLevelChange(json);
  return result.ok ? [] : result.problems.map((p) => [p.path, p.code]);
}

describe('parseTriggerLevelChange', () => {
  it('accepts a change of one instrument, of a type, and a return to the file', () => {
    expect(problemsOf(change())).toEqual([]);
    expect(problemsOf(change({ borehole_number: null }))).toEqual([]);
    expect(problemsOf(change({ trigger_levels: null }))).toEqual([]);
  });

  it('names every problem, with the checks of a site configuration', () => {
    expect(
      problemsOf({
        ...change(),
        change_id: 0,
        instrument: 'tiltmeter',
        borehole_number: '',
        trigger_levels: { rising: { alert: 3, alarm: 2, action: 1 } },
        changed_at: 'yesterday',
        extra: true,
      }),
    ).toEqual([
      ['extra', 'unknown_field'],
      ['change_id', 'invalid_value'],
      ['instrument', 'unknown_instrument'],
      ['borehole_number', 'empty_string'],
      ['trigger_levels.rising', 'invalid_threshold_order'],
      ['changed_at', 'invalid_timestamp'],
    ]);
    // Only standpipes measure elevation, so only they can have levels below ground.
    expect(
      problemsOf(
        change({
          trigger_levels: {
            relative_to: 'surface_level',
            rising: { alert: -2, alarm: -1, action: 0 },
          },
        }),
      ),
    ).toEqual([['trigger_levels.relative_to', 'invalid_value']]);
    expect(problemsOf({ ...change(), version: 2 })).toEqual([['version', 'unsupported_version']]);
    expect(problemsOf('{}')).toEqual([['', 'not_an_object']]);
  });
});

describe('applyLevelChanges', () => {
  const file = parseSiteConfig({
    version: 1,
    site: 'North shaft',
    defaults: { settlement_marker: { falling: { alert: -5, alarm: -10, action: -15 } } },
    instruments: [
      {
        instrument: 'piezometer',
        borehole_number: 'P-1',
        trigger_levels: { rising: { alert: 260, alarm: 310, action: 360 } },
        rate_of_change: 'off',
      },
      {
        instrument: 'piezometer',
        borehole_number: 'P-2',
        trigger_levels: { rising: { alert: 270, alarm: 320, action: 370 } },
      },
    ],
  });
  if (!file.ok) throw new Error('bad fixture');
  const config: SiteConfig = file.value;
  const levelsOf = (c: SiteConfig | undefined, type: 'piezometer', borehole: string) =>
    resolveTriggerLevels(c, type, borehole, 0);

  it('replaces an instrument entry’s levels and keeps its other rules', () => {
    const applied = applyLevelChanges(config, [change()]);
    expect(levelsOf(applied, 'piezometer', 'P-1')).toEqual({
      rising: { alert: 100, alarm: 150, action: 200 },
    });
    expect(resolveRateRule(applied, 'piezometer', 'P-1')).toBeUndefined();
    expect(levelsOf(applied, 'piezometer', 'P-2')).toEqual(levelsOf(config, 'piezometer', 'P-2'));
    expect(applied?.site).toBe('North shaft');
    // The file's configuration object is untouched, and the result is a valid configuration.
    expect(levelsOf(config, 'piezometer', 'P-1').rising?.alert).toBe(260);
    expect(parseSiteConfig(applied).ok).toBe(true);
  });

  it('adds an entry for an instrument the file does not name', () => {
    const applied = applyLevelChanges(config, [change({ borehole_number: 'P-9' })]);
    expect(levelsOf(applied, 'piezometer', 'P-9').rising?.alert).toBe(100);
  });

  it('gives a type change to every instrument without levels of its own', () => {
    const applied = applyLevelChanges(config, [change({ borehole_number: null })]);
    expect(levelsOf(applied, 'piezometer', 'P-7').rising?.alert).toBe(100);
    expect(levelsOf(applied, 'piezometer', 'P-1').rising?.alert).toBe(260);
    expect(resolveTriggerLevels(applied, 'settlement_marker', 'S-1', 0).falling?.alert).toBe(-5);
  });

  it('works without a site configuration, and ignores returns to the file', () => {
    expect(applyLevelChanges(config, [change({ trigger_levels: null })])).toBe(config);
    expect(applyLevelChanges(undefined, [])).toBeUndefined();
    const applied = applyLevelChanges(undefined, [change({ borehole_number: null })]);
    expect(levelsOf(applied, 'piezometer', 'P-1').rising?.alert).toBe(100);
    expect(levelsOf(undefined, 'piezometer', 'P-1').rising?.alert).toBe(250);
  });

  it('keys a change by its scope', () => {
    expect(levelScopeKey(change())).toBe('piezometer:P-1');
    expect(levelScopeKey(change({ borehole_number: null }))).toBe('piezometer');
  });
});
