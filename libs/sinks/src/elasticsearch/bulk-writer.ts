import type { Client } from '@elastic/elasticsearch';
import { retry, type Logger, type RetryPolicy } from '@geostream/platform';
import { SinkUnavailableError } from '../errors';
import { chunk, lastWinsByKey } from '../batching';
import type { BulkResponseItem } from './bulk-items';
import { sortBulkItems, type RejectedDocument } from './bulk-outcome';
import { elasticsearchSinkError } from './elasticsearch-errors';

// Keep bulk responses small: per item only its status and, on failure, why.
const BULK_FILTER_PATH = [
  'errors',
  'items.*.status',
  'items.*.error.type',
  'items.*.error.reason',
  'items.*.error.caused_by.type',
  'items.*.error.caused_by.reason',
];

interface BulkResponseBody {
  readonly errors?: boolean;
  readonly items?: ReadonlyArray<Record<string, BulkResponseItem>>;
}

/** Where one document goes: its index and _id (a write with the same _id overwrites). */
export interface BulkTarget {
  readonly index: string;
  readonly id: string;
}

export interface BulkWriteOptions {
  readonly retry: RetryPolicy;
  readonly maxDocumentsPerBulk: number;
  readonly logger: Logger;
  /** Names the caller's operation in errors and logs, e.g. 'writeWindows'. */
  readonly operation: string;
}

export interface BulkWriteResult<T> {
  readonly written: number;
  readonly rejected: RejectedDocument<T>[];
}

/**
 * The bulk body as one text, the lines joined natively: the client writes a string operation as
 * it is, where it appended two serialised lines per document to a rope that it then flattened
 * to measure and send (7% of the processor's allocations in a backlog, the heap sampler says).
 * The lines are the client's own: an `index` action, then the document's JSON.stringify.
 */
export function ndjsonOf<T>(
  documents: readonly T[],
  targetOf: (document: T) => BulkTarget,
): string {
  const lines = new Array<string>(documents.length * 2);
  for (let i = 0; i < documents.length; i++) {
    const document = documents[i] as T;
    const target = targetOf(document);
    lines[2 * i] = JSON.stringify({ index: { _index: target.index, _id: target.id } });
    lines[2 * i + 1] = JSON.stringify(document);
  }
  return lines.join('\n');
}

/**
 * Indexes documents by _id with bulk `index` actions: one per _id (the last of a repeated one),
 * in slices of maxDocumentsPerBulk. Every response item is classified: retriable ones (429,
 * 5xx, ...) are sent again, only those, with the platform's retry; permanent refusals come back
 * in `rejected`. Throws SinkUnavailableError when the retries run out.
 */
export async function writeBulk<T>(
  client: Client,
  documents: readonly T[],
  targetOf: (document: T) => BulkTarget,
  options: BulkWriteOptions,
): Promise<BulkWriteResult<T>> {
  const unique = lastWinsByKey(documents, (document) => {
    const target = targetOf(document);
    return `${target.index}\u0000${target.id}`;
  });
  let written = 0;
  const rejected: RejectedDocument<T>[] = [];
  for (const slice of chunk(unique, options.maxDocumentsPerBulk)) {
    let pending: readonly T[] = slice;
    await retry(
      async () => {
        let body: BulkResponseBody;
        try {
          body = (await client.bulk({
            operations: [ndjsonOf(pending, targetOf)],
            refresh: false,
            filter_path: BULK_FILTER_PATH,
          })) as BulkResponseBody;
        } catch (error) {
          throw elasticsearchSinkError(options.operation, error);
        }
        const outcome = body.errors
          ? sortBulkItems(pending, body.items ?? [])
          : { written: pending.length, retry: [], rejected: [], retryReason: undefined };
        written += outcome.written;
        rejected.push(...outcome.rejected);
        pending = outcome.retry;
        if (pending.length > 0) {
          throw new SinkUnavailableError({
            sink: 'elasticsearch',
            operation: options.operation,
            details: { retriableItems: pending.length, reason: outcome.retryReason },
          });
        }
      },
      {
        ...options.retry,
        onRetry: ({ attempt, delayMs, error }) =>
          options.logger.warn({ attempt, delayMs, err: error }, 'elasticsearch bulk retry'),
      },
    );
  }
  if (rejected.length > 0)
    options.logger.warn(
      { rejected: rejected.length, first: rejected[0]?.reason },
      'documents rejected',
    );
  return { written, rejected };
}
