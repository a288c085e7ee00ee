import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { POSTGRES_TABLES } from '@geostream/sinks';
import { windowRowsToCsv } from '../csv/history-csv';
import { createSlots, sendBusy } from '../http/capacity';
import {
  WINDOW_COLUMNS,
  applyHistoryFilter,
  applyHistorySort,
  queryHistoryPage,
  resolveFilter,
  type WindowRow,
} from '../history/history-query';
import type { HistoryFilter, HistorySort } from '../history/history-spec';
import {
  ErrorResponse,
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

export interface CsvExportSettings {
  readonly maxRows: number;
  readonly maxDurationMs: number;
  readonly maxConcurrent: number;
  /** The clock the duration limit is read on. */
  readonly now: () => number;
}

/** The defaults of CSV_MAX_ROWS, CSV_MAX_DURATION_MS and CSV_MAX_CONCURRENT. */
export const DEFAULT_CSV_LIMITS = {
  maxRows: 1_000_000,
  maxDurationMs: 300_000,
  maxConcurrent: 2,
} as const;

/** How long a refused export is told to wait (Retry-After). */
const EXPORT_RETRY_AFTER_S = 30;
/** How long a stopped export waits for its cursor to close before discarding the connection. */
const CURSOR_CLOSE_TIMEOUT_MS = 2_000;
/** A client that stops reading cannot hold its connection past the limit plus this. */
const STALLED_EXPORT_GRACE_MS = 5_000;

export function registerHistoryRoutes(
  app: FastifyInstance,
  db: Knex,
  csv: CsvExportSettings,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const exportSlots = createSlots(csv.maxConcurrent);

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
          'At most CSV_MAX_ROWS rows and CSV_MAX_DURATION_MS per export: one cut short ends with a ' +
          'line starting "# export stopped". At most CSV_MAX_CONCURRENT at once: more get a 503 ' +
          'with Retry-After.',
        tags: ['history'],
        querystring: HistoryCsvQuery,
        produces: ['text/csv'],
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
          ...errorResponses,
          503: Type.Ref(ErrorResponse),
        },
      },
    },
    async (request, reply) => {
      const release = exportSlots.tryTake();
      if (release === undefined) {
        return sendBusy(reply, {
          code: 'too_many_exports',
          reason: `${csv.maxConcurrent} CSV exports are running (CSV_MAX_CONCURRENT); try again shortly`,
          retryAfterS: EXPORT_RETRY_AFTER_S,
        });
      }
      try {
        await streamCsv(request.query, request.log, reply);
      } finally {
        release();
      }
    },
  );

  async function streamCsv(
    params: HistoryCsvQueryParams,
    log: FastifyBaseLogger,
    reply: FastifyReply,
  ): Promise<void> {
    const filter = await resolveFilter(db, filterFrom(params));
    const query = applyHistorySort(
      applyHistoryFilter(db(POSTGRES_TABLES.readingWindow).select(WINDOW_COLUMNS), filter),
      sortFrom(params),
    );
    // One row past the limit tells a complete export from one cut short.
    const limit = Math.min(params.limit ?? Number.POSITIVE_INFINITY, csv.maxRows + 1);
    if (Number.isFinite(limit)) query.limit(limit);
    const { sql, bindings } = query.toSQL().toNative();
    // A server-side cursor (pg-query-stream) on a pooled connection (its search_path is the
    // dashboard's schema), read only as fast as the client takes the CSV. The connection is
    // taken before the response is hijacked, so a pool that cannot give one (timeout) fails
    // through the error handler (a 500 with the API's error body) instead of leaving a 200
    // that never ends. A client that goes away ends the pipeline, which destroys the query
    // stream (closing the cursor) before the connection goes back to the pool: the cursor's
    // life is exactly the pipeline's.
    const connection = (await db.client.acquireConnection()) as PoolClient;
    let rows: QueryStream | undefined;
    // A client that stops reading blocks the pipeline where no row is checked: cut it off.
    const stalled = AbortSignal.timeout(csv.maxDurationMs + STALLED_EXPORT_GRACE_MS);
    try {
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="geostream-history.csv"')
        .header('cache-control', 'no-store');
      reply.hijack();
      reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
      rows = connection.query(new QueryStream(sql, bindings as unknown[], { batchSize: 1_000 }));
      // The generator reads the rows itself: when it stops early (a limit) or the client goes
      // away, leaving its loop destroys the row stream, which closes the cursor. (Given the row
      // stream as a pipeline stage, an early stop left the pipeline waiting for ever.)
      await pipeline(
        Readable.from(windowRowsToCsv(rows as AsyncIterable<WindowRow>, { ...csv })),
        reply.raw,
        { signal: stalled },
      );
    } catch (error) {
      log.warn({ err: error }, 'CSV export ended early');
      reply.raw.destroy();
    } finally {
      // The connection goes back to the pool only once its cursor is closed. pg-cursor's close
      // waits for a ReadyForQuery, which after an early stop sometimes never comes (seen under
      // fastify's inject): then the connection's state is unknown and it is discarded instead
      // (knex destroys a connection marked disposed rather than reuse it).
      if (rows !== undefined && !rows.closed) {
        // Leaving the generator's loop early destroys the rows with an AbortError, which the
        // stream emits before 'close': expected, and the cursor is closed all the same.
        rows.on('error', () => undefined);
        const stream = rows;
        const closed = new Promise<true>((resolve) => stream.once('close', () => resolve(true)));
        rows.destroy();
        const timeout = new Promise<false>((resolve) =>
          setTimeout(() => resolve(false), CURSOR_CLOSE_TIMEOUT_MS).unref(),
        );
        if (!(await Promise.race([closed, timeout]))) {
          const disposable = connection as PoolClient & { __knex__disposed?: string };
          disposable.__knex__disposed = 'a CSV export cursor did not close';
        }
      }
      await db.client.releaseConnection(connection);
    }
  }
}
