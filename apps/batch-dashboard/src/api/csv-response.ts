import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { CsvValue } from '../csv/csv';
import { rowsToCsv, windowRowsToCsv } from '../csv/history-csv';
import type { WindowRow } from '../history/history-query';
import { createSlots, sendBusy } from '../http/capacity';
import { ErrorResponse, errorResponses } from './schemas';

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

/** What every CSV route says about the limits, appended to its description. */
export const CSV_LIMITS_DESCRIPTION =
  'At most CSV_MAX_ROWS rows and CSV_MAX_DURATION_MS per export: one cut short ends with a ' +
  'line starting "# export stopped". At most CSV_MAX_CONCURRENT exports at once, whichever ' +
  'route they come from: more get a 503 with Retry-After.';

/** The responses of every CSV route. */
export const CSV_RESPONSES = {
  200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
  ...errorResponses,
  503: Type.Ref(ErrorResponse),
} as const;

/** How long a refused export is told to wait (Retry-After). */
const EXPORT_RETRY_AFTER_S = 30;
/** How long a stopped export waits for its cursor to close before discarding the connection. */
const CURSOR_CLOSE_TIMEOUT_MS = 2_000;
/** A client that stops reading cannot hold its connection past the limit plus this. */
const STALLED_EXPORT_GRACE_MS = 5_000;

export interface CsvExport {
  /** Selects the rows (window rows, unless `columns` says otherwise) in the export's order. */
  readonly query: Knex.QueryBuilder;
  /** The columns, in order; default the history export's (window rows). */
  readonly columns?: readonly string[];
  readonly filename: string;
  /** The rows the client asked for at most (the history's `limit`), if it said. */
  readonly limit?: number;
}

/**
 * The dashboard's CSV exports (the history's and the comparison's): one set of export slots
 * and one set of limits, whichever route an export comes from.
 */
export interface CsvExports {
  /**
   * Sends the window rows a query selects as a CSV download (the history export's columns),
   * or a 503 with Retry-After when CSV_MAX_CONCURRENT exports are running.
   */
  sendQueryAsCsv(request: FastifyRequest, reply: FastifyReply, csv: CsvExport): Promise<void>;
}

export function createCsvExports(db: Knex, settings: CsvExportSettings): CsvExports {
  // Each export holds a pooled connection for its whole stream: bounded, so pages keep theirs.
  const slots = createSlots(settings.maxConcurrent);
  return {
    async sendQueryAsCsv(request, reply, csv) {
      const release = slots.tryTake();
      if (release === undefined) {
        sendBusy(reply, {
          code: 'too_many_exports',
          reason: `${settings.maxConcurrent} CSV exports are running (CSV_MAX_CONCURRENT); try again shortly`,
          retryAfterS: EXPORT_RETRY_AFTER_S,
        });
        return;
      }
      try {
        await streamCsv(db, request, reply, csv, settings);
      } finally {
        release();
      }
    },
  };
}

/**
 * Streamed from a server-side cursor (pg-query-stream) on a pooled connection (its search_path
 * is the dashboard's schema), read only as fast as the client takes the CSV, stopped at the
 * first limit reached. The connection is taken before the response is hijacked, so a pool that
 * cannot give one (timeout) fails through the error handler (a 500 with the API's error body)
 * instead of leaving a 200 that never ends; it goes back only once the cursor is closed.
 */
async function streamCsv(
  db: Knex,
  request: FastifyRequest,
  reply: FastifyReply,
  csv: CsvExport,
  settings: CsvExportSettings,
): Promise<void> {
  // One row past the limit tells a complete export from one cut short.
  const limit = Math.min(csv.limit ?? Number.POSITIVE_INFINITY, settings.maxRows + 1);
  if (Number.isFinite(limit)) csv.query.limit(limit);
  const { sql, bindings } = csv.query.toSQL().toNative();
  const connection = (await db.client.acquireConnection()) as PoolClient;
  let rows: QueryStream | undefined;
  // A client that stops reading blocks the pipeline where no row is checked: cut it off.
  const stalled = AbortSignal.timeout(settings.maxDurationMs + STALLED_EXPORT_GRACE_MS);
  try {
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csv.filename}"`)
      .header('cache-control', 'no-store');
    reply.hijack();
    reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
    rows = connection.query(new QueryStream(sql, bindings as unknown[], { batchSize: 1_000 }));
    // The generator reads the rows itself: when it stops early (a limit) or the client goes
    // away, leaving its loop destroys the row stream, which closes the cursor. (Given the row
    // stream as a pipeline stage, an early stop left the pipeline waiting for ever.)
    await pipeline(
      Readable.from(
        csv.columns === undefined
          ? windowRowsToCsv(rows as AsyncIterable<WindowRow>, settings)
          : rowsToCsv(csv.columns, rows as AsyncIterable<Record<string, CsvValue>>, settings),
      ),
      reply.raw,
      { signal: stalled },
    );
  } catch (error) {
    request.log.warn({ err: error }, 'CSV export ended early');
    reply.raw.destroy();
  } finally {
    if (rows !== undefined) await closeCursor(rows, connection);
    await db.client.releaseConnection(connection);
  }
}

/**
 * pg-cursor's close waits for a ReadyForQuery, which after an early stop sometimes never comes
 * (seen under fastify's inject): then the connection's state is unknown and it is discarded
 * instead of going back to the pool (knex destroys a connection marked disposed).
 */
async function closeCursor(rows: QueryStream, connection: PoolClient): Promise<void> {
  if (rows.closed) return;
  // Leaving the generator's loop early destroys the rows with an AbortError, which the stream
  // emits before 'close': expected, and the cursor is closed all the same.
  rows.on('error', () => undefined);
  const closed = new Promise<true>((resolve) => rows.once('close', () => resolve(true)));
  rows.destroy();
  const timeout = new Promise<false>((resolve) =>
    setTimeout(() => resolve(false), CURSOR_CLOSE_TIMEOUT_MS).unref(),
  );
  if (!(await Promise.race([closed, timeout]))) {
    const disposable = connection as PoolClient & { __knex__disposed?: string };
    disposable.__knex__disposed = 'a CSV export cursor did not close';
  }
}
