import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import { POSTGRES_TABLES } from '@geostream/sinks/names';
import {
  WINDOW_COLUMNS,
  applyHistoryFilter,
  applyHistorySort,
  queryHistoryPage,
  resolveFilter,
} from '../history/history-query';
import type { HistoryFilter, HistorySort } from '../history/history-spec';
import { CSV_LIMITS_DESCRIPTION, CSV_RESPONSES, type CsvExports } from './csv-response';
import {
  HistoryCsvQuery,
  HistoryPageSchema,
  HistoryQuery,
  errorResponses,
  type HistoryCsvQueryParams,
} from './schemas';

function filterFrom(query: HistoryCsvQueryParams): HistoryFilter {
  return {
    ...(query.type && { types: query.type }),
    ...(query.borehole !== undefined && { borehole: query.borehole }),
    ...(query.from !== undefined && { from: new Date(query.from) }),
    ...(query.to !== undefined && { to: new Date(query.to) }),
    ...(query.level && { levels: query.level }),
  };
}

function sortFrom(query: HistoryCsvQueryParams): HistorySort {
  return { key: query.sort ?? 'time', direction: query.dir ?? 'desc' };
}

export function registerHistoryRoutes(
  app: FastifyInstance,
  db: Knex,
  csvExports: CsvExports,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/history',
    {
      schema: {
        summary: 'One page of window records, filtered and sorted on the server',
        description:
          "Keyset paging: pass the previous page's nextCursor as `after`. `offset` is for jumps " +
          '(bounded). `total=true` adds the matching row count (exact up to 10,000, then an estimate).',
        tags: ['history'],
        querystring: HistoryQuery,
        response: { 200: HistoryPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query;
      return queryHistoryPage(db, {
        filter: filterFrom(query),
        sort: sortFrom(query),
        limit: query.limit ?? 100,
        ...(query.after !== undefined && { after: query.after }),
        ...(query.offset !== undefined && { offset: query.offset }),
        withTotal: query.total ?? false,
      });
    },
  );

  api.get(
    '/api/history.csv',
    {
      schema: {
        summary: 'The filtered history as CSV, streamed from a database cursor',
        description:
          'Same filters and sorts as /api/history. RFC 4180, UTF-8 with a byte-order mark; text ' +
          'cells starting with = + - @ are prefixed with a quote so a spreadsheet never runs them. ' +
          CSV_LIMITS_DESCRIPTION,
        tags: ['history'],
        querystring: HistoryCsvQuery,
        produces: ['text/csv'],
        response: CSV_RESPONSES,
      },
    },
    async (request, reply) => {
      const filter = await resolveFilter(db, filterFrom(request.query));
      const query = applyHistorySort(
        applyHistoryFilter(db(POSTGRES_TABLES.readingWindow).select(WINDOW_COLUMNS), filter),
        sortFrom(request.query),
      );
      await csvExports.sendQueryAsCsv(request, reply, {
        query,
        filename: 'geostream-history.csv',
        ...(request.query.limit !== undefined && { limit: request.query.limit }),
      });
    },
  );
}
