import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { INSTRUMENT_TYPES, type InstrumentType } from '../instrument-types';
import { RateOfChangeSettingSchema, SilenceSettingSchema } from './alarm-rules';
import { IDENTIFIER_PATTERN } from './patterns';
import { InstrumentTypeSchema } from './reading';
import { TriggerLevelsConfigSchema } from './trigger-levels';

export const SITE_CONFIG_VERSION = 1;

/**
 * One instrument's own rules. Each given rule replaces the one it would otherwise inherit (the
 * site default for its type, then the library's) as a whole; at least one is given.
 */
export const InstrumentOverrideSchema = Type.Object(
  {
    instrument: InstrumentTypeSchema,
    borehole_number: Type.String({ minLength: 1, pattern: IDENTIFIER_PATTERN }),
    trigger_levels: Type.Optional(TriggerLevelsConfigSchema),
    rate_of_change: Type.Optional(RateOfChangeSettingSchema),
    silence: Type.Optional(SilenceSettingSchema),
    note: Type.Optional(Type.String()),
  },
  {
    additionalProperties: false,
    anyOf: [
      { properties: { trigger_levels: true }, required: ['trigger_levels'] },
      { properties: { rate_of_change: true }, required: ['rate_of_change'] },
      { properties: { silence: true }, required: ['silence'] },
    ],
  },
);
export type InstrumentOverride = Static<typeof InstrumentOverrideSchema>;

/** An object with an optional member per instrument type, nothing else. */
function perType<T extends TSchema>(schema: T) {
  const properties = Object.fromEntries(
    INSTRUMENT_TYPES.map((type) => [type, Type.Optional(schema)]),
  ) as unknown as Record<InstrumentType, TOptional<T>>;
  return Type.Optional(Type.Object(properties, { additionalProperties: false }));
}

/**
 * A site's alarm rules: per-type defaults replacing the library's (`defaults` for trigger
 * levels, `rate_of_change_defaults`, `silence_defaults`), and per-instrument overrides. Unknown
 * fields are errors here (unlike readings): a misspelt key would otherwise leave a site on
 * levels its engineers think they changed.
 */
export const SiteConfigSchema = Type.Object(
  {
    version: Type.Literal(SITE_CONFIG_VERSION),
    site: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    defaults: perType(TriggerLevelsConfigSchema),
    rate_of_change_defaults: perType(RateOfChangeSettingSchema),
    silence_defaults: perType(SilenceSettingSchema),
    instruments: Type.Optional(Type.Array(InstrumentOverrideSchema)),
  },
  {
    additionalProperties: false,
    title: 'SiteConfig',
    description: 'Trigger levels and alarm rules of one site (version 1).',
  },
);

export type SiteConfig = Static<typeof SiteConfigSchema>;
