import {
  checkRateOfChangeSetting,
  checkSilenceSetting,
  rateRuleOf,
  silenceRuleOf,
  type RateRule,
  type SilenceRule,
} from './alarm-rules';
import { objectAt, unknownFields } from './config-fields';
import { isInstrumentType, INSTRUMENT_SPECS, type InstrumentType } from './instrument-types';
import { instrumentKey } from './identity';
import type { Problem, ValidationResult } from './problems';
import {
  SITE_CONFIG_VERSION,
  type InstrumentOverride,
  type SiteConfig,
} from './schemas/site-config';
import type {
  TriggerDirection,
  TriggerLevels,
  TriggerLevelsConfig,
  TriggerThresholds,
} from './schemas/trigger-levels';
import {
  absence,
  describeValue,
  identifierProblem,
  isPlainObject,
  notAnObject,
  joinPath,
  numberProblem,
  problem,
  stringProblem,
  versionProblem,
} from './validation/field-problems';

type Problems = Problem[];

function checkThresholds(
  value: unknown,
  direction: TriggerDirection,
  path: string,
  problems: Problems,
): TriggerThresholds | undefined {
  if (!objectAt(value, path, problems)) return undefined;
  unknownFields(value, ['alert', 'alarm', 'action'], path, problems);
  const before = problems.length;
  for (const level of ['alert', 'alarm', 'action'] as const) {
    const p = numberProblem(value[level], joinPath(path, level));
    if (p !== undefined) problems.push(p);
  }
  if (problems.length > before) return undefined;
  const t = value as unknown as TriggerThresholds;
  const ordered =
    direction === 'rising'
      ? t.alert < t.alarm && t.alarm < t.action
      : t.alert > t.alarm && t.alarm > t.action;
  if (!ordered) {
    problems.push(
      problem(
        'invalid_threshold_order',
        path,
        direction === 'rising'
          ? `${path} must have alert < alarm < action, got ${t.alert}, ${t.alarm}, ${t.action}`
          : `${path} must have alert > alarm > action (falling), got ${t.alert}, ${t.alarm}, ${t.action}`,
      ),
    );
  }
  return t;
}

/** Pushes every problem of one trigger-level definition (as in a site config) onto `problems`. */
export function checkTriggerLevels(
  value: unknown,
  instrument: InstrumentType | undefined,
  path: string,
  problems: Problems,
): void {
  if (!objectAt(value, path, problems)) return;
  unknownFields(value, ['relative_to', 'rising', 'falling'], path, problems);
  if (value.relative_to !== undefined) {
    const at = joinPath(path, 'relative_to');
    if (value.relative_to !== 'surface_level') {
      problems.push(
        absence(value.relative_to, at) ??
          problem(
            'invalid_value',
            at,
            `${at} must be "surface_level", got ${describeValue(value.relative_to)}`,
          ),
      );
    } else if (instrument !== undefined && instrument !== 'water_standpipe') {
      problems.push(
        problem(
          'invalid_value',
          at,
          `${at}: only water_standpipe levels (metres of elevation) can be relative to surface_level`,
        ),
      );
    }
  }
  if (value.rising === undefined && value.falling === undefined) {
    problems.push(problem('missing_field', path, `${path} needs rising or falling thresholds`));
    return;
  }
  const rising =
    value.rising === undefined
      ? undefined
      : checkThresholds(value.rising, 'rising', joinPath(path, 'rising'), problems);
  const falling =
    value.falling === undefined
      ? undefined
      : checkThresholds(value.falling, 'falling', joinPath(path, 'falling'), problems);
  if (rising && falling && !(falling.alert < rising.alert)) {
    problems.push(
      problem(
        'invalid_threshold_order',
        path,
        `${path}: falling.alert (${falling.alert}) must be below rising.alert (${rising.alert})`,
      ),
    );
  }
}

/** A per-type defaults section: each member an instrument type, checked by `check`. */
function checkDefaults(
  section: string,
  value: unknown,
  problems: Problems,
  check: (setting: unknown, type: InstrumentType, path: string) => void,
): void {
  if (!objectAt(value, section, problems)) return;
  for (const [key, setting] of Object.entries(value)) {
    const path = `${section}.${key}`;
    if (!isInstrumentType(key)) {
      problems.push(
        problem('unknown_instrument', path, `${path}: ${key} is not an instrument type`),
      );
      continue;
    }
    check(setting, key, path);
  }
}

const RULE_FIELDS = ['trigger_levels', 'rate_of_change', 'silence'] as const;

function checkInstruments(value: unknown, problems: Problems): void {
  if (!Array.isArray(value)) {
    problems.push(
      absence(value, 'instruments') ??
        problem(
          'wrong_type',
          'instruments',
          `instruments must be an array, got ${describeValue(value)}`,
        ),
    );
    return;
  }
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const path = `instruments[${index}]`;
    if (!objectAt(entry, path, problems)) return;
    unknownFields(entry, ['instrument', 'borehole_number', ...RULE_FIELDS, 'note'], path, problems);
    const instrument = entry.instrument;
    if (!isInstrumentType(instrument)) {
      const at = joinPath(path, 'instrument');
      problems.push(
        typeof instrument === 'string' && instrument.trim() !== ''
          ? problem(
              'unknown_instrument',
              at,
              `${at} ${describeValue(instrument)} is not an instrument type`,
            )
          : (stringProblem(instrument, at) as Problem),
      );
    }
    // The rule readings' borehole numbers follow: an override breaking it could never match one.
    const boreholeProblem = identifierProblem(
      entry.borehole_number,
      joinPath(path, 'borehole_number'),
    );
    if (boreholeProblem) problems.push(boreholeProblem);
    if (entry.note !== undefined && typeof entry.note !== 'string') {
      const at = joinPath(path, 'note');
      problems.push(
        problem('wrong_type', at, `${at} must be a string, got ${describeValue(entry.note)}`),
      );
    }
    const type = isInstrumentType(instrument) ? instrument : undefined;
    if (RULE_FIELDS.every((field) => entry[field] === undefined)) {
      problems.push(
        problem('missing_field', path, `${path} needs trigger_levels, rate_of_change or silence`),
      );
    }
    if (entry.trigger_levels !== undefined)
      checkTriggerLevels(entry.trigger_levels, type, joinPath(path, 'trigger_levels'), problems);
    if (entry.rate_of_change !== undefined)
      checkRateOfChangeSetting(
        entry.rate_of_change,
        type,
        joinPath(path, 'rate_of_change'),
        problems,
      );
    if (entry.silence !== undefined)
      checkSilenceSetting(entry.silence, joinPath(path, 'silence'), problems);
    if (isInstrumentType(instrument) && boreholeProblem === undefined) {
      const key = instrumentKey(instrument, entry.borehole_number as string);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(
          problem(
            'duplicate_entry',
            path,
            `${path} repeats ${key}, already configured at instruments[${first}]`,
          ),
        );
      } else {
        seen.set(key, index);
      }
    }
  });
}

/**
 * Validates a parsed site configuration file (the app reads the file; this checks it). Every
 * problem is reported with its path, so a bad rule names itself
 * ('rate_of_change_defaults.settlement_marker.unit'). Checks beyond the JSON Schema: threshold
 * order, bands that overlap, relative_to on types other than water_standpipe, duplicate
 * instruments, rate units of the type's unit, durations within their ranges, a learnt
 * interval's floor not above its ceiling.
 */
export function parseSiteConfig(json: unknown): ValidationResult<SiteConfig> {
  const problems: Problems = [];
  if (!isPlainObject(json)) {
    problems.push(notAnObject('the site config', json));
    return { ok: false, problems };
  }
  const version = versionProblem(json.version, 'version', SITE_CONFIG_VERSION, true);
  if (version !== undefined) return { ok: false, problems: [version] };
  unknownFields(
    json,
    [
      'version',
      'site',
      'description',
      'defaults',
      'rate_of_change_defaults',
      'silence_defaults',
      'instruments',
    ],
    '',
    problems,
  );
  for (const field of ['site', 'description'] as const) {
    if (json[field] !== undefined && typeof json[field] !== 'string') {
      problems.push(
        problem(
          'wrong_type',
          field,
          `${field} must be a string, got ${describeValue(json[field])}`,
        ),
      );
    }
  }
  if (json.defaults !== undefined) {
    checkDefaults('defaults', json.defaults, problems, (levels, type, path) =>
      checkTriggerLevels(levels, type, path, problems),
    );
  }
  if (json.rate_of_change_defaults !== undefined) {
    checkDefaults('rate_of_change_defaults', json.rate_of_change_defaults, problems, (s, t, p) =>
      checkRateOfChangeSetting(s, t, p, problems),
    );
  }
  if (json.silence_defaults !== undefined) {
    checkDefaults('silence_defaults', json.silence_defaults, problems, (s, _t, p) =>
      checkSilenceSetting(s, p, problems),
    );
  }
  if (json.instruments !== undefined) checkInstruments(json.instruments, problems);
  if (problems.length > 0) return { ok: false, problems };
  // A private frozen copy: the lookup index cached for it can never go stale.
  return { ok: true, value: deepFreeze(structuredClone(json)) as unknown as SiteConfig };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// Per-instrument lookups, built once per parsed config object (configs are immutable values).
const overrideIndexes = new WeakMap<SiteConfig, Map<string, InstrumentOverride>>();

function overrideOf(
  config: SiteConfig | undefined,
  instrument: InstrumentType,
  boreholeNumber: string,
): InstrumentOverride | undefined {
  if (config === undefined) return undefined;
  let index = overrideIndexes.get(config);
  if (index === undefined) {
    index = new Map(
      (config.instruments ?? []).map((o) => [instrumentKey(o.instrument, o.borehole_number), o]),
    );
    overrideIndexes.set(config, index);
  }
  return index.get(instrumentKey(instrument, boreholeNumber));
}

/** Sums of decimal figures print as 77.94999999999999; 15 significant digits is what was meant. */
function offsetFrom(surfaceLevel: number, offset: number): number {
  return Number((surfaceLevel + offset).toPrecision(15));
}

function absoluteThresholds(t: TriggerThresholds, surfaceLevel: number): TriggerThresholds {
  return {
    alert: offsetFrom(surfaceLevel, t.alert),
    alarm: offsetFrom(surfaceLevel, t.alarm),
    action: offsetFrom(surfaceLevel, t.action),
  };
}

/** Absolute trigger levels from a configured (possibly surface-relative) definition. */
export function toAbsoluteTriggerLevels(
  levels: TriggerLevelsConfig,
  surfaceLevel: number,
): TriggerLevels {
  const relative = levels.relative_to === 'surface_level';
  const result: { rising?: TriggerThresholds; falling?: TriggerThresholds } = {};
  if (levels.rising) {
    result.rising = relative
      ? absoluteThresholds(levels.rising, surfaceLevel)
      : { ...levels.rising };
  }
  if (levels.falling) {
    result.falling = relative
      ? absoluteThresholds(levels.falling, surfaceLevel)
      : { ...levels.falling };
  }
  return result;
}

/**
 * The configured trigger levels of one instrument, in the reading's unit. Precedence: the
 * instrument's own entry, then the site's default for its type, then the library default. An
 * entry replaces the whole definition (no merging of bands). Surface-relative levels (water
 * standpipes) are made absolute with the given surface level (from the reading or window).
 */
export function resolveTriggerLevels(
  siteConfig: SiteConfig | undefined,
  instrument: InstrumentType,
  boreholeNumber: string,
  surfaceLevel: number,
): TriggerLevels {
  const configured =
    overrideOf(siteConfig, instrument, boreholeNumber)?.trigger_levels ??
    siteConfig?.defaults?.[instrument] ??
    INSTRUMENT_SPECS[instrument].defaultTriggerLevels;
  return toAbsoluteTriggerLevels(configured, surfaceLevel);
}

/**
 * The rate-of-change rule of one instrument, or undefined when it is 'off'. Precedence as for
 * trigger levels: the instrument's entry, the site default for its type, the library default;
 * a rule replaces the inherited one whole. Rules are built once per configured rule object.
 */
export function resolveRateRule(
  siteConfig: SiteConfig | undefined,
  instrument: InstrumentType,
  boreholeNumber: string,
): RateRule | undefined {
  const setting =
    overrideOf(siteConfig, instrument, boreholeNumber)?.rate_of_change ??
    siteConfig?.rate_of_change_defaults?.[instrument] ??
    INSTRUMENT_SPECS[instrument].defaultRateOfChange;
  return rateRuleOf(setting, instrument);
}

/** The silence rule of one instrument, or undefined when it is 'off' (precedence as above). */
export function resolveSilenceRule(
  siteConfig: SiteConfig | undefined,
  instrument: InstrumentType,
  boreholeNumber: string,
): SilenceRule | undefined {
  const setting =
    overrideOf(siteConfig, instrument, boreholeNumber)?.silence ??
    siteConfig?.silence_defaults?.[instrument] ??
    INSTRUMENT_SPECS[instrument].defaultSilence;
  return silenceRuleOf(setting);
}
