import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import {
  INSTRUMENT_SPECS,
  INSTRUMENT_TYPES,
  TRIGGER_LEVELS,
  type SiteConfig,
} from '@geostream/instrument-schemas';
import { HISTORY_SORT_KEYS } from '../history/history-spec';
import type { LiveFeed } from '../live/live-hub';
import { queryActivity } from '../overview/activity-query';
import {
  instrumentStatus,
  summariseTypes,
  worstFirst,
  type StalenessPolicy,
} from '../overview/staleness';
import { MetaSchema, NoQuery, OverviewQuery, OverviewSchema, errorResponses } from './schemas';

export function registerOverviewRoutes(
  app: FastifyInstance,
  deps: {
    db: Knex;
    clock: () => number;
    staleness: StalenessPolicy;
    live: LiveFeed;
    siteConfig: SiteConfig | undefined;
  },
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/overview',
    {
      schema: {
        summary:
          'Per type: instruments reporting, stale, worst current level; and the instruments needing attention',
        tags: ['overview'],
        querystring: OverviewQuery,
        response: { 200: OverviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const activity = await queryActivity(deps.db);
      const now = deps.clock();
      const statuses = activity.map((a) => instrumentStatus(a, now, deps.staleness));
      return {
        generated_at: new Date(now),
        stale_multiplier: deps.staleness.multiplier,
        types: summariseTypes(statuses),
        attention: worstFirst(statuses, request.query.limit ?? 100),
      };
    },
  );

  api.get(
    '/api/meta',
    {
      schema: {
        summary: 'Instrument types and units, trigger levels, sorts, live status',
        tags: ['meta'],
        querystring: NoQuery,
        response: { 200: MetaSchema, ...errorResponses },
      },
    },
    async () => ({
      types: INSTRUMENT_TYPES.map((type) => ({
        type,
        quantity: INSTRUMENT_SPECS[type].quantity,
        unit: INSTRUMENT_SPECS[type].unit,
      })),
      trigger_levels: [...TRIGGER_LEVELS],
      history_sorts: [...HISTORY_SORT_KEYS],
      live: { status: deps.live.status() },
      site: deps.siteConfig?.site ?? null,
    }),
  );
}
