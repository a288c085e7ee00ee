import { abortableSleep, backoffDelay, errorMessage, type Logger } from '@geostream/platform';
import type { AlarmIndexWriter, SearchOutbox } from '@geostream/sinks';
import type { AlarmManagerMetrics } from './metrics';

export interface SearchIndexerOptions {
  readonly outbox: SearchOutbox;
  readonly writer: AlarmIndexWriter;
  readonly metrics: AlarmManagerMetrics;
  readonly logger: Logger;
  readonly pollMs: number;
  readonly batchSize?: number;
  readonly signal: AbortSignal;
}

export interface SearchIndexer {
  readonly done: Promise<void>;
  /** The last failure, until the next success. */
  lastError(): string | undefined;
}

/**
 * Indexes the audit log into Elasticsearch: the search outbox's entries, oldest first, as
 * transition and alarm documents (overwritten by _id), then removes them from the outbox. While
 * Elasticsearch is away the entries wait; a document refused for good is logged and counted,
 * and not tried again (it would block every later one).
 */
export function startSearchIndexer(options: SearchIndexerOptions): SearchIndexer {
  const { outbox, writer, metrics, signal } = options;
  const log = options.logger.child({ component: 'search-indexer', index: writer.index });
  let lastError: string | undefined;

  async function loop(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const entries = await outbox.pending(options.batchSize ?? 500);
        if (entries.length === 0) {
          // Reading the outbox worked: a past failure no longer describes the indexer.
          lastError = undefined;
          metrics.searchBacklog.set(0);
          await abortableSleep(options.pollMs, signal).catch(() => undefined);
          continue;
        }
        const { written, rejected } = await writer.writeAuditEntries(entries);
        metrics.indexed.inc({ outcome: 'written' }, written);
        if (rejected.length > 0) {
          metrics.indexed.inc({ outcome: 'rejected' }, rejected.length);
          log.error(
            { rejected: rejected.length, first: rejected[0]?.reason },
            'alarm documents refused by Elasticsearch',
          );
        }
        await outbox.done(entries.map((entry) => entry.id));
        metrics.searchBacklog.set(await outbox.backlog());
        failures = 0;
        lastError = undefined;
      } catch (error) {
        lastError = errorMessage(error);
        const delayMs = backoffDelay(
          failures++,
          { retries: Infinity, initialDelayMs: 500, maxDelayMs: 30_000, factor: 2 },
          Math.random,
        );
        log.warn({ err: lastError, delayMs }, 'indexing alarms; retrying');
        await abortableSleep(Math.max(delayMs, options.pollMs), signal).catch(() => undefined);
      }
    }
  }

  return { done: loop(), lastError: () => lastError };
}
