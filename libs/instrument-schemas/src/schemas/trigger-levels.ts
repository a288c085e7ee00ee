import { Type, type Static } from '@sinclair/typebox';

/** Trigger levels in rising order of severity; 'none' means below every threshold. */
export const TRIGGER_LEVELS = ['none', 'alert', 'alarm', 'action'] as const;
export type TriggerLevel = (typeof TRIGGER_LEVELS)[number];

/** The way a value moves to become dangerous. A type with both has two independent bands. */
export const TRIGGER_DIRECTIONS = ['rising', 'falling'] as const;
export type TriggerDirection = (typeof TRIGGER_DIRECTIONS)[number];

export const TriggerLevelSchema = Type.Unsafe<TriggerLevel>({
  type: 'string',
  enum: [...TRIGGER_LEVELS],
});

export const TriggerDirectionSchema = Type.Unsafe<TriggerDirection>({
  type: 'string',
  enum: [...TRIGGER_DIRECTIONS],
});

/**
 * The three thresholds of one direction, in the instrument's unit. Reaching a threshold counts
 * (>= when rising, <= when falling). Rising: alert < alarm < action. Falling: alert > alarm >
 * action (e.g. settlement -10, -20, -30 mm). The order is checked by parseSiteConfig (JSON
 * Schema cannot compare two fields).
 */
export const TriggerThresholdsSchema = Type.Object(
  { alert: Type.Number(), alarm: Type.Number(), action: Type.Number() },
  { additionalProperties: false },
);
export type TriggerThresholds = Static<typeof TriggerThresholdsSchema>;

/**
 * Absolute trigger levels of one instrument: a rising band, a falling band, or both
 * ("both" directions = two independent one-directional bands, e.g. tension and compression of
 * a strut). At least one band is present.
 */
export const TriggerLevelsSchema = Type.Object(
  {
    rising: Type.Optional(TriggerThresholdsSchema),
    falling: Type.Optional(TriggerThresholdsSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TriggerLevels = Static<typeof TriggerLevelsSchema>;

/**
 * Trigger levels as written in a site configuration or as a type's default. With
 * `relative_to: 'surface_level'` thresholds are offsets from the instrument's surface level in
 * the reading's unit (used for water standpipes: -1.0 means 1 m below ground);
 * resolveTriggerLevels turns them into absolute TriggerLevels.
 */
export const TriggerLevelsConfigSchema = Type.Object(
  {
    relative_to: Type.Optional(Type.Literal('surface_level')),
    rising: Type.Optional(TriggerThresholdsSchema),
    falling: Type.Optional(TriggerThresholdsSchema),
  },
  {
    additionalProperties: false,
    // At least one direction ('properties' repeated so Ajv's strict mode sees them defined).
    anyOf: [
      { properties: { rising: true }, required: ['rising'] },
      { properties: { falling: true }, required: ['falling'] },
    ],
  },
);
export type TriggerLevelsConfig = Static<typeof TriggerLevelsConfigSchema>;
