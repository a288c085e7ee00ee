import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  INSTRUMENT_TYPES,
  TRIGGER_DIRECTIONS,
  TRIGGER_LEVELS,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import {
  HISTORY_SORT_KEYS,
  type HistorySortKey,
  type SortDirection,
} from '../history/history-spec';
import { MAX_OFFSET } from '../history/history-query';

/**
 * The API's request and response schemas. Requests are validated by them (a bad parameter is a
 * 400 naming it, never a 500), responses are serialised by them (nothing leaves that is not
 * declared), and the OpenAPI document is generated from them.
 */

const oneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description && { description }) });

export const InstrumentTypeParam = oneOf<InstrumentType>(INSTRUMENT_TYPES, 'instrument type');
export const TriggerLevelParam = oneOf<TriggerLevel>(TRIGGER_LEVELS, 'trigger level');

/** A timestamp with a zone (RFC 3339), e.g. 2026-01-31T08:00:00Z. */
const TimeParam = (description: string) =>
  Type.String({ format: 'date-time', maxLength: 40, description });

/** Serialised from a Date (or an ISO string) as an RFC 3339 UTC timestamp. */
const DateTime = (description?: string) =>
  Type.Unsafe<Date | string>({
    type: 'string',
    format: 'date-time',
    ...(description && { description }),
  });

const Borehole = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'instrument id, e.g. BH-4493',
});

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    code: Type.String({ description: 'stable error code' }),
    message: Type.String(),
    reasons: Type.Array(Type.String(), { description: 'every problem found' }),
  },
  { $id: 'ErrorResponse', title: 'ErrorResponse' },
);
export type ErrorBody = Static<typeof ErrorResponse>;

export const errorResponses = {
  400: Type.Ref(ErrorResponse),
  401: Type.Ref(ErrorResponse),
} as const;

// ---- history

export const HistoryFilterQuery = {
  type: Type.Optional(
    Type.Array(InstrumentTypeParam, {
      maxItems: INSTRUMENT_TYPES.length,
      uniqueItems: true,
      description: 'repeat for several types',
    }),
  ),
  borehole: Type.Optional(Borehole),
  from: Type.Optional(TimeParam('window_start at or after')),
  to: Type.Optional(TimeParam('window_start before')),
  level: Type.Optional(
    Type.Array(TriggerLevelParam, {
      maxItems: TRIGGER_LEVELS.length,
      uniqueItems: true,
      description: 'repeat for several levels',
    }),
  ),
  sort: Type.Optional(
    Type.Unsafe<HistorySortKey>({
      type: 'string',
      enum: HISTORY_SORT_KEYS,
      default: 'time',
      description: 'time: by window_start; instrument: by type, id, then window_start',
    }),
  ),
  dir: Type.Optional(
    Type.Unsafe<SortDirection>({ type: 'string', enum: ['asc', 'desc'], default: 'desc' }),
  ),
};

export const HistoryQuery = Type.Object(
  {
    ...HistoryFilterQuery,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'nextCursor of the previous page (keyset paging)',
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OFFSET,
        description: 'rows to skip when jumping without a cursor',
      }),
    ),
    total: Type.Optional(
      Type.Boolean({ default: false, description: 'also count the matching rows' }),
    ),
  },
  { additionalProperties: false },
);
export type HistoryQueryParams = Static<typeof HistoryQuery>;

export const HistoryCsvQuery = Type.Object(
  {
    ...HistoryFilterQuery,
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'at most this many rows' }),
    ),
  },
  { additionalProperties: false },
);
export type HistoryCsvQueryParams = Static<typeof HistoryCsvQuery>;

export const WindowRowSchema = Type.Object(
  {
    id: Type.String(),
    instrument: InstrumentTypeParam,
    borehole_number: Type.String(),
    window_start: DateTime('inclusive'),
    window_end: DateTime('exclusive'),
    reading_mean: Type.Number(),
    reading_min: Type.Number(),
    reading_max: Type.Number(),
    reading_count: Type.Integer(),
    first_timestamp: DateTime(),
    last_timestamp: DateTime(),
    unit: Type.String(),
    surface_level: Type.Number(),
    northing: Type.Number(),
    easting: Type.Number(),
    trigger_level: TriggerLevelParam,
  },
  { $id: 'WindowRow', title: 'WindowRow' },
);

export const RowTotalSchema = Type.Object({
  value: Type.Integer(),
  exact: Type.Boolean({ description: 'false: an estimate (more than 10,000 rows match)' }),
});

export const HistoryPageSchema = Type.Object({
  rows: Type.Array(Type.Ref(WindowRowSchema)),
  hasMore: Type.Boolean(),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Optional(RowTotalSchema),
});

// ---- instruments

export const InstrumentSearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'part of the instrument id' })),
    type: Type.Optional(InstrumentTypeParam),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);

export const InstrumentKeyQuery = Type.Object(
  { type: InstrumentTypeParam, borehole: Borehole },
  { additionalProperties: false },
);

export const InstrumentSummarySchema = Type.Object({
  instrument: InstrumentTypeParam,
  borehole_number: Type.String(),
  unit: Type.String(),
  trigger_level: TriggerLevelParam,
  last_window_end: DateTime(),
  last_reading_mean: Type.Number(),
});

const Thresholds = Type.Object({
  alert: Type.Number(),
  alarm: Type.Number(),
  action: Type.Number(),
});

export const InstrumentDetailSchema = Type.Object({
  instrument: InstrumentTypeParam,
  borehole_number: Type.String(),
  quantity: Type.String(),
  unit: Type.String(),
  surface_level: Type.Number({ description: 'm' }),
  northing: Type.Number(),
  easting: Type.Number(),
  trigger_level: TriggerLevelParam,
  trigger_levels: Type.Object(
    { rising: Type.Optional(Thresholds), falling: Type.Optional(Thresholds) },
    {
      description: 'absolute, in the unit; from the site configuration or the type default',
    },
  ),
  last_window: Type.Object({
    id: Type.String(),
    window_start: DateTime(),
    window_end: DateTime(),
    reading_mean: Type.Number(),
    reading_min: Type.Number(),
    reading_max: Type.Number(),
    reading_count: Type.Integer(),
  }),
  derived: Type.Union([
    Type.Object({
      kind: oneOf(['depth_below_surface', 'piezometric_head'] as const),
      label: Type.String(),
      unit: Type.String(),
      formula: Type.String(),
      last_value: Type.Number(),
    }),
    Type.Null(),
  ]),
});

export const SeriesQuery = Type.Object(
  {
    type: InstrumentTypeParam,
    borehole: Borehole,
    from: Type.Optional(TimeParam('default: 7 days before to')),
    to: Type.Optional(TimeParam("default: just after the instrument's last window")),
    maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 5_000, default: 1_500 })),
  },
  { additionalProperties: false },
);

export const SeriesSchema = Type.Object({
  from: DateTime(),
  to: DateTime(),
  bucketMs: Type.Integer({
    description: '0: one point per window; else windows merged into buckets of this width',
  }),
  points: Type.Array(
    Type.Object({
      t: DateTime('window (or bucket) start'),
      mean: Type.Number({ description: 'true mean of the readings' }),
      min: Type.Number(),
      max: Type.Number(),
      count: Type.Integer(),
    }),
  ),
});

// ---- alerts

export const AlertsQuery = Type.Object(
  {
    type: Type.Optional(InstrumentTypeParam),
    borehole: Type.Optional(Borehole),
    from: Type.Optional(TimeParam('window_end at or after')),
    to: Type.Optional(TimeParam('window_end before')),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    before: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2000,
        description: 'nextCursor of the previous page',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AlertRowSchema = Type.Object(
  {
    id: Type.String(),
    instrument: InstrumentTypeParam,
    borehole_number: Type.String(),
    kind: oneOf(['raise', 'clear'] as const),
    direction: oneOf(TRIGGER_DIRECTIONS),
    from_level: TriggerLevelParam,
    to_level: TriggerLevelParam,
    value: Type.Number(),
    threshold: Type.Union([Type.Number(), Type.Null()]),
    unit: Type.String(),
    window_id: Type.String(),
    window_start: DateTime(),
    window_end: DateTime(),
  },
  { $id: 'AlertRow', title: 'AlertRow' },
);

export const AlertPageSchema = Type.Object({
  alerts: Type.Array(Type.Ref(AlertRowSchema)),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

// ---- routes without parameters

/** For a route that takes no parameters: any given is unknown, so a 400 like everywhere else. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

// ---- overview

export const OverviewQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })) },
  { additionalProperties: false },
);

const LevelCounts = Type.Object({
  none: Type.Integer(),
  alert: Type.Integer(),
  alarm: Type.Integer(),
  action: Type.Integer(),
});

export const OverviewSchema = Type.Object({
  generated_at: DateTime(),
  stale_multiplier: Type.Number(),
  types: Type.Array(
    Type.Object({
      type: InstrumentTypeParam,
      unit: Type.String(),
      instruments: Type.Integer(),
      reporting: Type.Integer(),
      stale: Type.Integer(),
      clock_skewed: Type.Integer({ description: 'instruments whose clock runs ahead or behind' }),
      worst_level: TriggerLevelParam,
      levels: LevelCounts,
    }),
  ),
  attention: Type.Array(
    Type.Object({
      instrument: InstrumentTypeParam,
      borehole_number: Type.String(),
      trigger_level: TriggerLevelParam,
      unit: Type.String(),
      last_reading_mean: Type.Number(),
      last_reading_at: DateTime('timestamp of its latest reading'),
      usual_interval_ms: Type.Union([Type.Number(), Type.Null()]),
      silent_ms: Type.Number(),
      stale_after_ms: Type.Number(),
      stale: Type.Boolean(),
      clock_status: Type.Union([Type.Literal('ok'), Type.Literal('ahead'), Type.Literal('behind')]),
      clock_offset_ms: Type.Union([Type.Number(), Type.Null()], {
        description: 'estimated clock offset, + ahead, - behind',
      }),
    }),
    { description: 'instruments above none, stale or with a clock off, worst first' },
  ),
});

// ---- meta

export const MetaSchema = Type.Object({
  types: Type.Array(
    Type.Object({ type: InstrumentTypeParam, quantity: Type.String(), unit: Type.String() }),
  ),
  trigger_levels: Type.Array(TriggerLevelParam),
  history_sorts: Type.Array(Type.String()),
  live: Type.Object({ status: oneOf(['off', 'connecting', 'live', 'down'] as const) }),
  site: Type.Union([Type.String(), Type.Null()]),
});

export const sharedSchemas: readonly TSchema[] = [ErrorResponse, WindowRowSchema, AlertRowSchema];
