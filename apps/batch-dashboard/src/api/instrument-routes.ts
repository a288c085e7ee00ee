import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { SiteConfig } from '@geostream/instrument-schemas';
import { BadRequestError } from '../errors';
import { queryAlerts } from '../instruments/alert-query';
import {
  deriveValue,
  derivedValueOf,
  quantityOf,
  triggerLevelsFor,
} from '../instruments/instrument-detail';
import { findInstrument, searchInstruments } from '../instruments/instrument-query';
import { querySeries } from '../instruments/series-query';
import {
  AlertPageSchema,
  AlertsQuery,
  InstrumentDetailSchema,
  InstrumentKeyQuery,
  InstrumentSearchQuery,
  InstrumentSummarySchema,
  SeriesQuery,
  SeriesSchema,
  errorResponses,
} from './schemas';
import { Type } from '@sinclair/typebox';

const DAY_MS = 86_400_000;
const MAX_SERIES_SPAN_MS = 3_660 * DAY_MS;

function notFound(type: string, borehole: string): BadRequestError {
  return new BadRequestError(
    'instrument_not_found',
    [`no instrument ${type} ${JSON.stringify(borehole)}`],
    404,
  );
}

export function registerInstrumentRoutes(
  app: FastifyInstance,
  db: Knex,
  /** The levels in force (SITE_CONFIG_FILE and the admins' changes), read per request. */
  siteConfig: () => Promise<SiteConfig | undefined>,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const withNotFound = { ...errorResponses, 404: Type.Ref('ErrorResponse') };

  api.get(
    '/api/instruments',
    {
      schema: {
        summary: 'Find instruments by part of their id',
        tags: ['instruments'],
        querystring: InstrumentSearchQuery,
        response: {
          200: Type.Object({ instruments: Type.Array(InstrumentSummarySchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      instruments: await searchInstruments(db, {
        limit: request.query.limit ?? 50,
        ...(request.query.q !== undefined && { q: request.query.q }),
        ...(request.query.type !== undefined && { type: request.query.type }),
      }),
    }),
  );

  api.get(
    '/api/instrument',
    {
      schema: {
        summary: "One instrument's metadata, trigger levels, latest window and derived value",
        tags: ['instruments'],
        querystring: InstrumentKeyQuery,
        response: { 200: InstrumentDetailSchema, ...withNotFound },
      },
    },
    async (request) => {
      const { type, borehole } = request.query;
      const state = await findInstrument(db, type, borehole);
      if (!state) throw notFound(type, borehole);
      const derived = derivedValueOf(type);
      return {
        instrument: type,
        borehole_number: state.borehole_number,
        quantity: quantityOf(type),
        unit: state.unit,
        surface_level: state.surface_level,
        northing: state.northing,
        easting: state.easting,
        trigger_level: state.trigger_level,
        trigger_levels: triggerLevelsFor(await siteConfig(), type, borehole, state.surface_level),
        last_window: {
          id: state.last_window_id,
          window_start: state.last_window_start,
          window_end: state.last_window_end,
          reading_mean: state.last_reading_mean,
          reading_min: state.last_reading_min,
          reading_max: state.last_reading_max,
          reading_count: state.last_reading_count,
        },
        derived: derived && {
          ...derived,
          last_value: deriveValue(derived.kind, state.last_reading_mean, state.surface_level),
        },
      };
    },
  );

  api.get(
    '/api/instrument/series',
    {
      schema: {
        summary:
          "One instrument's windows over time (mean, min, max, count), downsampled past maxPoints",
        tags: ['instruments'],
        querystring: SeriesQuery,
        response: { 200: SeriesSchema, ...withNotFound },
      },
    },
    async (request) => {
      const { type, borehole } = request.query;
      let to = request.query.to === undefined ? undefined : new Date(request.query.to);
      if (to === undefined) {
        const state = await findInstrument(db, type, borehole);
        if (!state) throw notFound(type, borehole);
        to = new Date(state.last_window_start.getTime() + 1);
      }
      const from =
        request.query.from === undefined
          ? new Date(to.getTime() - 7 * DAY_MS)
          : new Date(request.query.from);
      if (from >= to) throw new BadRequestError('invalid_time_range', ['from must be before to']);
      if (to.getTime() - from.getTime() > MAX_SERIES_SPAN_MS) {
        throw new BadRequestError('invalid_time_range', ['the range may span at most 10 years']);
      }
      const series = await querySeries(db, {
        type,
        borehole,
        from,
        to,
        maxPoints: request.query.maxPoints ?? 1_500,
      });
      return { from, to, ...series };
    },
  );

  api.get(
    '/api/alerts',
    {
      schema: {
        summary: 'Alert history (raises and clears), newest first',
        tags: ['alerts'],
        querystring: AlertsQuery,
        response: { 200: AlertPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return queryAlerts(db, {
        limit: q.limit ?? 100,
        ...(q.type !== undefined && { type: q.type }),
        ...(q.borehole !== undefined && { borehole: q.borehole }),
        ...(q.from !== undefined && { from: new Date(q.from) }),
        ...(q.to !== undefined && { to: new Date(q.to) }),
        ...(q.before !== undefined && { before: q.before }),
      });
    },
  );
}
