import { Type, type Static, type TOptional } from '@sinclair/typebox';
import { INSTRUMENT_TYPES, type InstrumentType } from '../instrument-types';
import { IDENTIFIER_PATTERN } from './patterns';
import { InstrumentTypeSchema } from './reading';
import { TriggerLevelsConfigSchema } from './trigger-levels';

export const SITE_CONFIG_VERSION = 1;

export const InstrumentOverrideSchema = Type.Object(
  {
    instrument: InstrumentTypeSchema,
    borehole_number: Type.String({ minLength: 1, pattern: IDENTIFIER_PATTERN }),
    trigger_levels: TriggerLevelsConfigSchema,
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type InstrumentOverride = Static<typeof InstrumentOverrideSchema>;

const defaultsProperties = Object.fromEntries(
  INSTRUMENT_TYPES.map((type) => [type, Type.Optional(TriggerLevelsConfigSchema)]),
) as Record<InstrumentType, TOptional<typeof TriggerLevelsConfigSchema>>;

/**
 * A site's trigger levels: per-type defaults replacing the library's, and per-instrument
 * overrides. Unknown fields are errors here (unlike readings): a misspelt key would otherwise
 * leave a site on levels its engineers think they changed.
 */
export const SiteConfigSchema = Type.Object(
  {
    version: Type.Literal(SITE_CONFIG_VERSION),
    site: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    defaults: Type.Optional(Type.Object(defaultsProperties, { additionalProperties: false })),
    instruments: Type.Optional(Type.Array(InstrumentOverrideSchema)),
  },
  {
    additionalProperties: false,
    title: 'SiteConfig',
    description: 'Trigger levels of one site (version 1).',
  },
);

export type SiteConfig = Static<typeof SiteConfigSchema>;
