import { Type, type Static } from '@sinclair/typebox';

/**
 * Durations as people write them in a site configuration: a number and a unit, no space:
 * '90s', '15min', '24h', '2d', '1.5h'. Ranges (a rate interval of at least a minute, a floor
 * below its ceiling) are checked by parseSiteConfig: JSON Schema cannot compare strings as times.
 */
export const DURATION_PATTERN = '^(0|[1-9][0-9]*)(\\.[0-9]+)?(s|min|h|d)$';

/**
 * A rate unit: the instrument type's own unit per a time unit, 'mm/day', 'kPa/h', 'µε/d'.
 * That the unit is the type's (mm for a settlement marker, not m) is checked by parseSiteConfig.
 */
export const RATE_UNIT_PATTERN = '^[^/\\s]+/(s|min|h|d|day)$';

export const RATE_DIRECTIONS = ['rising', 'falling', 'both'] as const;
/** Which way a rate must go to count: 'both' judges its magnitude either way. */
export type RateDirection = (typeof RATE_DIRECTIONS)[number];

/** The levels an alarm condition without thresholds of its own (no data) raises to. */
export const ALARM_LEVELS = ['alert', 'alarm', 'action'] as const;
export type AlarmLevel = (typeof ALARM_LEVELS)[number];

const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, description: `${description}, e.g. '24h', '15min'` });

const RateLevel = (description: string) =>
  Type.Optional(Type.Number({ exclusiveMinimum: 0, description }));

/**
 * A rate-of-change rule: the rate is the least-squares slope of the instrument's window means
 * over the rolling interval `over`, judged against graded levels (magnitudes in `unit`, in the
 * rule's `direction`), like trigger levels. At least one level; present levels ascend.
 */
export const RateOfChangeRuleSchema = Type.Object(
  {
    direction: Type.Unsafe<RateDirection>({ type: 'string', enum: [...RATE_DIRECTIONS] }),
    over: Duration('the rolling interval the rate is computed over, at least 1min'),
    unit: Type.String({
      pattern: RATE_UNIT_PATTERN,
      description: "the type's unit per s, min, h, d or day, e.g. 'mm/day'",
    }),
    alert: RateLevel('rate magnitude that raises alert, in unit'),
    alarm: RateLevel('rate magnitude that raises alarm, in unit'),
    action: RateLevel('rate magnitude that raises action, in unit'),
    clear_margin: Type.Optional(
      Type.Number({
        minimum: 0,
        description: 'hysteresis in unit: a raised level clears once the rate is this far below it',
      }),
    ),
  },
  {
    additionalProperties: false,
    // At least one level ('properties' repeated so Ajv's strict mode sees them defined).
    anyOf: [
      { properties: { alert: true }, required: ['alert'] },
      { properties: { alarm: true }, required: ['alarm'] },
      { properties: { action: true }, required: ['action'] },
    ],
  },
);
export type RateOfChangeRuleConfig = Static<typeof RateOfChangeRuleSchema>;

/** A rule, or 'off': no rate alarms (a type or an instrument the site does not judge by rate). */
export const RateOfChangeSettingSchema = Type.Union([Type.Literal('off'), RateOfChangeRuleSchema]);
export type RateOfChangeSetting = Static<typeof RateOfChangeSettingSchema>;

/**
 * When an instrument counts as silent: no new reading for `multiplier` times its expected
 * interval, which is either configured (`expected_interval`) or learnt from the gaps between
 * its deliveries, kept within `learn_interval.floor` and `.ceiling`. Exactly one of the two.
 */
export const SilenceRuleSchema = Type.Object(
  {
    expected_interval: Type.Optional(Duration('the interval between deliveries, at least 1s')),
    learn_interval: Type.Optional(
      Type.Object(
        {
          floor: Duration('the shortest interval learnt, at least 1s'),
          ceiling: Duration('the longest interval learnt, at most 30d'),
        },
        { additionalProperties: false },
      ),
    ),
    multiplier: Type.Optional(
      Type.Number({
        minimum: 1,
        description: 'silent after this many expected intervals without a reading (default 3)',
      }),
    ),
    level: Type.Optional(
      Type.Unsafe<AlarmLevel>({
        type: 'string',
        enum: [...ALARM_LEVELS],
        description: 'the level a no_data alarm raises (default alarm)',
      }),
    ),
  },
  {
    additionalProperties: false,
    oneOf: [
      { properties: { expected_interval: true }, required: ['expected_interval'] },
      { properties: { learn_interval: true }, required: ['learn_interval'] },
    ],
  },
);
export type SilenceRuleConfig = Static<typeof SilenceRuleSchema>;

/** A rule, or 'off': the instrument (or type) never raises no_data. */
export const SilenceSettingSchema = Type.Union([Type.Literal('off'), SilenceRuleSchema]);
export type SilenceSetting = Static<typeof SilenceSettingSchema>;
