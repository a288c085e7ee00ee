import { objectAt, unknownFields } from './config-fields';
import { INSTRUMENT_SPECS, type InstrumentType } from './instrument-types';
import type { Problem, ValidationResult } from './problems';
import {
  ALARM_LEVELS,
  RATE_DIRECTIONS,
  type AlarmLevel,
  type RateDirection,
  type RateOfChangeRuleConfig,
  type RateOfChangeSetting,
  type SilenceRuleConfig,
  type SilenceSetting,
} from './schemas/alarm-rules';
import {
  absence,
  describeValue,
  joinPath,
  numberProblem,
  problem,
} from './validation/field-problems';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Milliseconds per time unit, for durations ('15min') and rate units ('mm/day'). */
export const TIME_UNIT_MS: Readonly<Record<string, number>> = {
  s: SECOND_MS,
  min: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: DAY_MS,
  day: DAY_MS,
};

/** The longest duration a rule may name: beyond a month, a rate or a silence means little. */
export const MAX_RULE_DURATION_MS = 30 * DAY_MS;
/** The shortest rate interval: a slope over less than a minute of 10 s windows is noise. */
export const MIN_RATE_INTERVAL_MS = MINUTE_MS;
/** The shortest expected interval or floor: loggers read every few seconds at the fastest. */
export const MIN_SILENCE_INTERVAL_MS = SECOND_MS;
/** The multiplier of the expected interval when a silence rule names none. */
export const DEFAULT_SILENCE_MULTIPLIER = 3;
/** The level a no_data alarm raises when a silence rule names none. */
export const DEFAULT_SILENCE_LEVEL: AlarmLevel = 'alarm';

const DURATION = /^(0|[1-9][0-9]*)(\.[0-9]+)?(s|min|h|d)$/;

/** '15min' -> 900000; undefined when not a duration (DURATION_PATTERN). Rounded to whole ms. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const unit = TIME_UNIT_MS[match[3] as string] as number;
  return Math.round(Number(`${match[1]}${match[2] ?? ''}`) * unit);
}

/** 900000 -> '15min': the largest unit that divides it (durations are whole ms). */
export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'min', 's'] as const) {
    const size = TIME_UNIT_MS[unit] as number;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / SECOND_MS}s`;
}

// 'µε' is written with the micro sign or the Greek mu: NFKC makes them one.
const sameUnit = (a: string, b: string) => a.normalize('NFKC') === b.normalize('NFKC');

/** Milliseconds of the time base of a rate unit ('mm/day' -> 86400000) for this type's unit. */
export function ratePerMs(unit: string, instrument: InstrumentType): number | undefined {
  const slash = unit.lastIndexOf('/');
  if (slash <= 0) return undefined;
  if (!sameUnit(unit.slice(0, slash), INSTRUMENT_SPECS[instrument].unit)) return undefined;
  return TIME_UNIT_MS[unit.slice(slash + 1)];
}

/** A rate rule ready to evaluate: durations in ms, levels as magnitudes in `unit`. */
export interface RateRule {
  readonly direction: RateDirection;
  /** The rolling interval the slope is fitted over. */
  readonly intervalMs: number;
  /** The rate unit as configured, e.g. 'mm/day': rates and levels are reported in it. */
  readonly unit: string;
  /** The unit's time base in ms (86400000 for '/day'): rate = slope per ms x perMs. */
  readonly perMs: number;
  readonly levels: { readonly [L in AlarmLevel]?: number };
  /** Hysteresis in `unit` (0: none). */
  readonly clearMargin: number;
  /** The rule as written, carried into rate alarm events so they explain themselves. */
  readonly config: RateOfChangeRuleConfig;
}

/** A silence rule ready to evaluate. */
export interface SilenceRule {
  readonly expected:
    | { readonly kind: 'fixed'; readonly intervalMs: number }
    | { readonly kind: 'learnt'; readonly floorMs: number; readonly ceilingMs: number };
  readonly multiplier: number;
  readonly level: AlarmLevel;
}

// Rules are built once per configured object (configs are frozen, defaults are constants).
const rateRules = new WeakMap<RateOfChangeRuleConfig, RateRule>();
const silenceRules = new WeakMap<SilenceRuleConfig, SilenceRule>();

function durationOf(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new RangeError(`${JSON.stringify(text)} is not a duration`);
  return ms;
}

/**
 * The evaluable form of a rate rule of a validated configuration (or a library default).
 * @throws RangeError when the rule was never validated (a programming error)
 */
export function toRateRule(config: RateOfChangeRuleConfig, instrument: InstrumentType): RateRule {
  const cached = rateRules.get(config);
  if (cached !== undefined) return cached;
  const perMs = ratePerMs(config.unit, instrument);
  if (perMs === undefined)
    throw new RangeError(`${config.unit} is not a rate unit of ${instrument} readings`);
  const levels: { -readonly [L in AlarmLevel]?: number } = {};
  for (const level of ALARM_LEVELS) if (config[level] !== undefined) levels[level] = config[level];
  const rule: RateRule = {
    direction: config.direction,
    intervalMs: durationOf(config.over),
    unit: config.unit,
    perMs,
    levels,
    clearMargin: config.clear_margin ?? 0,
    config,
  };
  rateRules.set(config, rule);
  return rule;
}

/** The evaluable form of a silence rule of a validated configuration (or a library default). */
export function toSilenceRule(config: SilenceRuleConfig): SilenceRule {
  const cached = silenceRules.get(config);
  if (cached !== undefined) return cached;
  const learn = config.learn_interval;
  const rule: SilenceRule = {
    expected:
      learn === undefined
        ? { kind: 'fixed', intervalMs: durationOf(config.expected_interval as string) }
        : {
            kind: 'learnt',
            floorMs: durationOf(learn.floor),
            ceilingMs: durationOf(learn.ceiling),
          },
    multiplier: config.multiplier ?? DEFAULT_SILENCE_MULTIPLIER,
    level: config.level ?? DEFAULT_SILENCE_LEVEL,
  };
  silenceRules.set(config, rule);
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Validation of the rules in a site configuration (parseSiteConfig calls these).

type Problems = Problem[];

/** Checks a duration string and its range; returns its ms when valid. */
function checkDuration(
  value: unknown,
  path: string,
  minMs: number,
  problems: Problems,
): number | undefined {
  if (typeof value !== 'string') {
    problems.push(
      absence(value, path) ??
        problem(
          'wrong_type',
          path,
          `${path} must be a duration string such as "15min", got ${describeValue(value)}`,
        ),
    );
    return undefined;
  }
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    problems.push(
      problem(
        'invalid_value',
        path,
        `${path} must be a number and a unit (s, min, h or d) without a space, such as "90s", ` +
          `"15min", "24h", got ${describeValue(value)}`,
      ),
    );
    return undefined;
  }
  if (ms < minMs || ms > MAX_RULE_DURATION_MS) {
    problems.push(
      problem(
        'invalid_value',
        path,
        `${path} must be between ${formatDurationMs(minMs)} and ` +
          `${formatDurationMs(MAX_RULE_DURATION_MS)}, got ${JSON.stringify(value)}`,
      ),
    );
    return undefined;
  }
  return ms;
}

function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  problems: Problems,
): void {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return;
  problems.push(
    absence(value, path) ??
      problem(
        typeof value === 'string' ? 'invalid_value' : 'wrong_type',
        path,
        `${path} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`,
      ),
  );
}

/** 'off' passes; anything else is checked by `check`. */
function checkSetting(
  value: unknown,
  path: string,
  problems: Problems,
  check: (rule: Record<string, unknown>) => void,
): void {
  if (value === 'off') return;
  if (typeof value === 'string') {
    problems.push(
      problem(
        'invalid_value',
        path,
        `${path} must be a rule or "off", got ${describeValue(value)}`,
      ),
    );
    return;
  }
  if (objectAt(value, path, problems)) check(value);
}

/**
 * A rate-of-change setting: 'off' or a rule whose unit is the type's per a time unit, whose
 * interval is 1min..30d, with at least one level, present levels ascending and positive.
 * `instrument` is undefined when the entry's own type is invalid (the unit is then not checked).
 */
export function checkRateOfChangeSetting(
  value: unknown,
  instrument: InstrumentType | undefined,
  path: string,
  problems: Problems,
): void {
  checkSetting(value, path, problems, (rule) => {
    unknownFields(
      rule,
      ['direction', 'over', 'unit', ...ALARM_LEVELS, 'clear_margin'],
      path,
      problems,
    );
    checkEnum(rule.direction, RATE_DIRECTIONS, joinPath(path, 'direction'), problems);
    checkDuration(rule.over, joinPath(path, 'over'), MIN_RATE_INTERVAL_MS, problems);
    const unitPath = joinPath(path, 'unit');
    if (typeof rule.unit !== 'string') {
      problems.push(
        absence(rule.unit, unitPath) ??
          problem(
            'wrong_type',
            unitPath,
            `${unitPath} must be a string, got ${describeValue(rule.unit)}`,
          ),
      );
    } else if (instrument !== undefined && ratePerMs(rule.unit, instrument) === undefined) {
      const own = INSTRUMENT_SPECS[instrument].unit;
      problems.push(
        problem(
          'invalid_value',
          unitPath,
          `${unitPath} must be ${own} (the unit of ${instrument} readings) per s, min, h, d or ` +
            `day, such as "${own}/day", got ${describeValue(rule.unit)}`,
        ),
      );
    }
    const present: [AlarmLevel, number][] = [];
    let levelProblems = false;
    for (const level of ALARM_LEVELS) {
      if (rule[level] === undefined) continue;
      const at = joinPath(path, level);
      const p = numberProblem(rule[level], at);
      if (p !== undefined) {
        problems.push(p);
        levelProblems = true;
      } else if ((rule[level] as number) <= 0) {
        problems.push(
          problem(
            'invalid_value',
            at,
            `${at} must be a rate magnitude above 0 (the direction gives the sign), got ${String(rule[level])}`,
          ),
        );
        levelProblems = true;
      } else {
        present.push([level, rule[level] as number]);
      }
    }
    if (present.length === 0 && !levelProblems) {
      problems.push(
        problem('missing_field', path, `${path} needs at least one level: alert, alarm or action`),
      );
    }
    for (let i = 1; i < present.length; i++) {
      const [lowName, low] = present[i - 1] as [AlarmLevel, number];
      const [highName, high] = present[i] as [AlarmLevel, number];
      if (!(low < high)) {
        problems.push(
          problem(
            'invalid_threshold_order',
            path,
            `${path} must have ${lowName} < ${highName}, got ${low} and ${high}`,
          ),
        );
      }
    }
    if (rule.clear_margin !== undefined) {
      const at = joinPath(path, 'clear_margin');
      const p = numberProblem(rule.clear_margin, at);
      if (p !== undefined) problems.push(p);
      else if ((rule.clear_margin as number) < 0)
        problems.push(
          problem('invalid_value', at, `${at} must be 0 or more, got ${String(rule.clear_margin)}`),
        );
    }
  });
}

/**
 * A silence setting: 'off' or a rule with exactly one of expected_interval (1s..30d) and
 * learn_interval {floor, ceiling} (1s..30d, floor <= ceiling), a multiplier >= 1, a level.
 */
export function checkSilenceSetting(value: unknown, path: string, problems: Problems): void {
  checkSetting(value, path, problems, (rule) => {
    unknownFields(
      rule,
      ['expected_interval', 'learn_interval', 'multiplier', 'level'],
      path,
      problems,
    );
    const fixed = rule.expected_interval;
    const learn = rule.learn_interval;
    if ((fixed === undefined) === (learn === undefined)) {
      problems.push(
        problem(
          fixed === undefined ? 'missing_field' : 'invalid_value',
          path,
          `${path} needs exactly one of expected_interval and learn_interval`,
        ),
      );
    }
    if (fixed !== undefined) {
      checkDuration(fixed, joinPath(path, 'expected_interval'), MIN_SILENCE_INTERVAL_MS, problems);
    }
    const learnPath = joinPath(path, 'learn_interval');
    if (learn !== undefined && objectAt(learn, learnPath, problems)) {
      unknownFields(learn, ['floor', 'ceiling'], learnPath, problems);
      const floor = checkDuration(
        learn.floor,
        joinPath(learnPath, 'floor'),
        MIN_SILENCE_INTERVAL_MS,
        problems,
      );
      const ceiling = checkDuration(
        learn.ceiling,
        joinPath(learnPath, 'ceiling'),
        MIN_SILENCE_INTERVAL_MS,
        problems,
      );
      if (floor !== undefined && ceiling !== undefined && floor > ceiling) {
        problems.push(
          problem(
            'invalid_value',
            learnPath,
            `${learnPath}.floor (${String(learn.floor)}) must not exceed its ceiling (${String(learn.ceiling)})`,
          ),
        );
      }
    }
    if (rule.multiplier !== undefined) {
      const at = joinPath(path, 'multiplier');
      const p = numberProblem(rule.multiplier, at);
      if (p !== undefined) problems.push(p);
      else if ((rule.multiplier as number) < 1)
        problems.push(
          problem('invalid_value', at, `${at} must be 1 or more, got ${String(rule.multiplier)}`),
        );
    }
    if (rule.level !== undefined)
      checkEnum(rule.level, ALARM_LEVELS, joinPath(path, 'level'), problems);
  });
}

/**
 * One rate-of-change rule on its own (not 'off'), e.g. read back from stored state; the unit is
 * checked against `instrument` when given.
 */
export function validateRateOfChangeRule(
  value: unknown,
  instrument?: InstrumentType,
  path = '',
): ValidationResult<RateOfChangeRuleConfig> {
  const problems: Problems = [];
  if (value === 'off')
    problems.push(
      problem('invalid_value', path, `${path || 'the rule'} must be a rule, not "off"`),
    );
  else checkRateOfChangeSetting(value, instrument, path, problems);
  return problems.length === 0
    ? { ok: true, value: value as RateOfChangeRuleConfig }
    : { ok: false, problems };
}

/** The rate rule in force from a setting ('off' -> undefined). */
export function rateRuleOf(
  setting: RateOfChangeSetting,
  instrument: InstrumentType,
): RateRule | undefined {
  return setting === 'off' ? undefined : toRateRule(setting, instrument);
}

/** The silence rule in force from a setting ('off' -> undefined). */
export function silenceRuleOf(setting: SilenceSetting): SilenceRule | undefined {
  return setting === 'off' ? undefined : toSilenceRule(setting);
}
