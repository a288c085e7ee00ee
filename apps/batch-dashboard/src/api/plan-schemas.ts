import { Type, type Static } from '@sinclair/typebox';
import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { CURRENT_STATES } from '../plan/current-state';
import { InstrumentTypeParam, TriggerLevelParam } from './schemas';

/** The plan's request and response schemas (see schemas.ts for the conventions). */

export const PLAN_PAGE_MAX = 10_000;

export const PlanInstrumentsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PLAN_PAGE_MAX, default: 5_000 })),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1_000,
        description: 'nextCursor of the previous page (keyset paging)',
      }),
    ),
    type: Type.Optional(
      Type.Array(InstrumentTypeParam, {
        maxItems: INSTRUMENT_TYPES.length,
        uniqueItems: true,
        description: 'repeat for several types',
      }),
    ),
  },
  { additionalProperties: false },
);

const column = (items: ReturnType<typeof Type.Number>, description: string) =>
  Type.Array(items, { description });

const StateParam = Type.Unsafe<(typeof CURRENT_STATES)[number]>({
  type: 'string',
  enum: [...CURRENT_STATES],
});

export const PlanPageSchema = Type.Object({
  generated_at: Type.Unsafe<Date>({ type: 'string', format: 'date-time' }),
  stale_multiplier: Type.Number(),
  states: Type.Array(StateParam, { description: 'the states, least severe first' }),
  units: Type.Record(Type.String(), Type.String(), { description: 'unit of each type' }),
  count: Type.Integer({ description: 'instruments in this page' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  columns: Type.Object(
    {
      type: Type.Array(InstrumentTypeParam),
      id: Type.Array(Type.String(), { description: 'borehole_number' }),
      easting: column(Type.Number(), 'site grid metres'),
      northing: column(Type.Number(), 'site grid metres'),
      state: Type.Array(StateParam, { description: 'worst current state' }),
      trigger_level: Type.Array(TriggerLevelParam),
      alarm_level: Type.Array(TriggerLevelParam, {
        description: 'highest level of its active, unshelved level and rate alarms',
      }),
      no_data: Type.Array(Type.Boolean(), {
        description: 'stale by the staleness rule, or an active no_data alarm',
      }),
      clock_status: Type.Array(
        Type.Unsafe<'ok' | 'ahead' | 'behind'>({ type: 'string', enum: ['ok', 'ahead', 'behind'] }),
      ),
      clock_offset_ms: Type.Array(Type.Union([Type.Number(), Type.Null()])),
      value: column(Type.Number(), 'mean of its latest window'),
      last_reading_at: column(Type.Number(), 'epoch ms of its latest reading'),
      last_window_start: column(Type.Number(), 'epoch ms of its latest window'),
    },
    { description: 'one array per field; index i is instrument i' },
  ),
});

const Pair = (description: string) => Type.Tuple([Type.Number(), Type.Number()], { description });

export const ControlPointSchema = Type.Object(
  {
    image: Pair('[x, y] in the image: from its top-left corner, y down (px, or SVG viewBox units)'),
    site: Pair('[easting, northing] on site'),
  },
  { additionalProperties: false },
);

export const TransformSchema = Type.Array(Type.Number(), {
  minItems: 6,
  maxItems: 6,
  description: '[a, b, c, d, e, f]: easting = a*x + b*y + c, northing = d*x + e*y + f',
});

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Opacity = Type.Number({ exclusiveMinimum: 0, maximum: 1, description: '0 < opacity <= 1' });

const placementProperties = {
  controlPoints: Type.Optional(
    Type.Array(ControlPointSchema, {
      minItems: 2,
      maxItems: 2,
      description: 'two points of the image and where they are on site',
    }),
  ),
  transform: Type.Optional(TransformSchema),
};

export const NewUnderlayBody = Type.Object(
  {
    name: Name,
    image: Type.String({
      minLength: 1,
      description: 'the PNG or SVG file, base64 (its type is judged by its content)',
    }),
    opacity: Type.Optional(Opacity),
    ...placementProperties,
  },
  { additionalProperties: false },
);
export type NewUnderlayBodyType = Static<typeof NewUnderlayBody>;

export const UnderlayChangeBody = Type.Object(
  { name: Type.Optional(Name), opacity: Type.Optional(Opacity), ...placementProperties },
  { additionalProperties: false, minProperties: 1 },
);
export type UnderlayChangeBodyType = Static<typeof UnderlayChangeBody>;

export const UnderlayIdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const UnderlaySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    media_type: Type.Unsafe<'image/png' | 'image/svg+xml'>({
      type: 'string',
      enum: ['image/png', 'image/svg+xml'],
    }),
    image_url: Type.String(),
    image_sha256: Type.String(),
    image_bytes: Type.Integer(),
    width: Type.Number({ description: 'image units (px, or SVG viewBox units)' }),
    height: Type.Number(),
    transform: TransformSchema,
    control_points: Type.Union([Type.Array(ControlPointSchema), Type.Null()]),
    opacity: Type.Number(),
    created_at: Type.Unsafe<Date>({ type: 'string', format: 'date-time' }),
    updated_at: Type.Unsafe<Date>({ type: 'string', format: 'date-time' }),
  },
  { title: 'PlanUnderlay' },
);
