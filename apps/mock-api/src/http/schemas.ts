import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';
import { Type, type Static } from '@sinclair/typebox';

/**
 * Route schemas. The response schemas describe the wire honestly: fault injection sends items
 * that deliberately break the Reading schema (null or empty fields, text readings, unknown
 * types), so an item is declared as any JSON value and serialised exactly as built. What an item
 * is in normal operation is the strict Reading schema, published in the OpenAPI document as
 * components/schemas/Reading (from @geostream/instrument-schemas).
 */
export const WireItemSchema = Type.Unknown({
  description:
    'A reading: in normal operation exactly a Reading (#/components/schemas/Reading). With fault ' +
    'injection on, an item may deliberately break it: a null or empty field, a non-numeric ' +
    'reading, an unknown instrument type; it may also be a duplicate or an old (out-of-order) reading.',
});

export const WireEnvelopeSchema = Type.Object(
  {
    instruments: Type.Integer({
      minimum: 0,
      description:
        'How many instruments report in this envelope (repeats and duplicates add items, not instruments).',
    }),
    units: Type.String({
      description: "The quantity and unit of `reading`, e.g. 'water level (m)'.",
    }),
    timezone: Type.String({ description: "Always 'UTC'; each item carries its own timestamp." }),
    items: Type.Array(WireItemSchema),
  },
  {
    title: 'WireEnvelope',
    description:
      'The current readings of one instrument type, as the reference API returns them (BatchEnvelope ' +
      'when no fault is injected).',
  },
);

const envelopesByType = Object.fromEntries(
  INSTRUMENT_TYPES.map((type) => [type, WireEnvelopeSchema]),
) as Record<InstrumentType, typeof WireEnvelopeSchema>;

export const AllEnvelopesSchema = Type.Object(
  {
    instruments: Type.Integer({
      minimum: 0,
      description: 'Instruments reporting, all types together.',
    }),
    timezone: Type.String(),
    envelopes: Type.Object(envelopesByType, {
      description: 'One envelope per instrument type, keyed by its wire name.',
    }),
  },
  { title: 'AllEnvelopes' },
);

export const ErrorSchema = Type.Object(
  {
    error: Type.String({
      description:
        'A stable code: unknown_instrument, not_found, bad_request, bad_cursor, simulated_failure, internal_error.',
    }),
    message: Type.String(),
    known_instruments: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'Error' },
);

export const InstrumentParamsSchema = Type.Object({
  instrument: Type.String({
    description: `An instrument type: ${INSTRUMENT_TYPES.join(', ')}. Any other value is a 404.`,
    examples: ['water_standpipe'],
  }),
});

export const PingSchema = Type.Object({ ping: Type.Literal('pong!') });

export const LogQuerySchema = Type.Object({
  since: Type.Optional(
    Type.String({
      description:
        "A cursor from an earlier response's x-cursor header: answer the readings recorded after it. Opaque to clients.",
      maxLength: 64,
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'The most readings in one page (with since); capped by the server (SIM_PAGE_MAX_READINGS).',
    }),
  ),
});

export type LogQuery = Static<typeof LogQuerySchema>;
