import type { WindowRecord } from '@geostream/instrument-schemas';
import { bulkItemReason, classifyBulkItemStatus, type BulkResponseItem } from './bulk-items';
import type { RejectedWindow } from './types';

/** One bulk response sorted into what was done, what to send again, and what to dead-letter. */
export interface BulkOutcome {
  readonly written: number;
  readonly retry: WindowRecord[];
  readonly rejected: RejectedWindow[];
  /** The reason of one retriable item, for the log and the error if retries run out. */
  readonly retryReason?: string;
}

/**
 * Pairs each sent record with its response item (the response keeps the request's order).
 * A missing item is retried: never assume a document was written.
 */
export function sortBulkItems(
  sent: readonly WindowRecord[],
  items: ReadonlyArray<Record<string, BulkResponseItem> | undefined>,
): BulkOutcome {
  let written = 0;
  const retry: WindowRecord[] = [];
  const rejected: RejectedWindow[] = [];
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
