import { bulkItemReason, classifyBulkItemStatus, type BulkResponseItem } from './bulk-items';

/** A document Elasticsearch refused for good, with the item's status and reason. */
export interface RejectedDocument<T> {
  readonly record: T;
  /** The bulk item's HTTP status, e.g. 400. */
  readonly status: number;
  /** The error type and reason Elasticsearch gave, e.g. 'document_parsing_exception: ...'. */
  readonly reason: string;
}

/** One bulk response sorted into what was done, what to send again, and what to dead-letter. */
export interface BulkOutcome<T> {
  readonly written: number;
  readonly retry: T[];
  readonly rejected: RejectedDocument<T>[];
  /** The reason of one retriable item, for the log and the error if retries run out. */
  readonly retryReason?: string;
}

/**
 * Pairs each sent record with its response item (the response keeps the request's order).
 * A missing item is retried: never assume a document was written.
 */
export function sortBulkItems<T>(
  sent: readonly T[],
  items: ReadonlyArray<Record<string, BulkResponseItem> | undefined>,
): BulkOutcome<T> {
  let written = 0;
  const retry: T[] = [];
  const rejected: RejectedDocument<T>[] = [];
  let retryReason: string | undefined;
  sent.forEach((record, i) => {
    const entry = items[i];
    const item = entry ? Object.values(entry)[0] : undefined;
    if (!item) {
      retry.push(record);
      retryReason ??= 'bulk response has no item for this document';
      return;
    }
    switch (classifyBulkItemStatus(item.status)) {
      case 'done':
        written++;
        break;
      case 'retry':
        retry.push(record);
        retryReason ??= `${item.status} ${bulkItemReason(item)}`;
        break;
      case 'reject':
        rejected.push({ record, status: item.status, reason: bulkItemReason(item) });
        break;
    }
  });
  return { written, retry, rejected, ...(retryReason === undefined ? {} : { retryReason }) };
}
