/**
 * What to do with one item of a bulk response. Every item is classified: nothing is ignored.
 * - done: indexed (200 overwritten, 201 created);
 * - retry: the cluster is busy or briefly broken (429 queue full or flood-stage block,
 *   408, 409 version conflict, any 5xx): send the same document again later;
 * - reject: the document itself is wrong (400 mapping/parse error, ...): retrying cannot help,
 *   it goes to the dead-letter topic.
 */
export type BulkItemOutcome = 'done' | 'retry' | 'reject';

export function classifyBulkItemStatus(status: number): BulkItemOutcome {
  if (status >= 200 && status < 300) return 'done';
  if (status === 429 || status === 408 || status === 409 || status >= 500) return 'retry';
  return 'reject';
}

/** The part of a bulk response item this sink reads (the response is filtered to it). */
export interface BulkResponseItem {
  readonly status: number;
  readonly error?: {
    readonly type?: string;
    readonly reason?: string | null;
    readonly caused_by?: { readonly type?: string; readonly reason?: string | null };
  };
}

/** 'type: reason (caused by type: reason)', for logs and dead letters. */
export function bulkItemReason(item: BulkResponseItem): string {
  const error = item.error;
  if (!error) return `status ${item.status}`;
  const main = [error.type, error.reason].filter(Boolean).join(': ');
  const cause = error.caused_by
    ? [error.caused_by.type, error.caused_by.reason].filter(Boolean).join(': ')
    : '';
  return cause ? `${main} (caused by ${cause})` : main || `status ${item.status}`;
}
