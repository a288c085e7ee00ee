import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { windowRowsToCsv } from '../csv/history-csv';

/**
 * Sends the rows a query selects as a CSV download (by default window rows, in the history
 * export's columns; `toCsv` for other rows),
 * streamed from a server-side cursor (pg-query-stream) on a pooled connection (its search_path
 * is the dashboard's schema), read only as fast as the client takes the CSV. The connection is
 * taken before the response is hijacked, so a pool that cannot give one (timeout) fails through
 * the error handler (a 500 with the API's error body) instead of leaving a 200 that never ends.
 * A client that goes away ends the pipeline, which destroys the query stream (closing the
 * cursor) before the connection goes back to the pool: the cursor's life is exactly the
 * pipeline's.
 */
export async function sendQueryAsCsv(
  db: Knex,
  request: FastifyRequest,
  reply: FastifyReply,
  query: Knex.QueryBuilder,
  filename: string,
  toCsv: () => Transform = windowRowsToCsv,
): Promise<void> {
  const { sql, bindings } = query.toSQL().toNative();
  const connection = (await db.client.acquireConnection()) as PoolClient;
  try {
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .header('cache-control', 'no-store');
    reply.hijack();
    reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
    const rows = connection.query(
      new QueryStream(sql, bindings as unknown[], { batchSize: 1_000 }),
    );
    await pipeline(rows, toCsv(), reply.raw);
  } catch (error) {
    request.log.warn({ err: error }, 'CSV export ended early');
    reply.raw.destroy();
  } finally {
    await db.client.releaseConnection(connection);
  }
}
