import { Client, errors } from '@elastic/elasticsearch';
import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { retry } from '@geostream/platform';
import { SinkClosedError, SinkUnavailableError } from '../errors';
import { chunk, lastWinsByKey } from '../batching';
import { silentLogger } from '../silent-logger';
import type { BulkResponseItem } from './bulk-items';
import { sortBulkItems } from './bulk-outcome';
import { elasticsearchSinkError } from './elasticsearch-errors';
import { windowIndexName, windowIndexTemplate, windowIndexTemplateName } from './index-template';
import { resolveElasticsearchOptions } from './options';
import type {
  ElasticsearchSink,
  ElasticsearchSinkOptions,
  ElasticsearchWriteResult,
  RejectedWindow,
} from './types';

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

/** Elasticsearch sink: one index per type from an explicit template, bulk with _id = window id. */
export function createElasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  const settings = resolveElasticsearchOptions(options);
  const logger = (options.logger ?? silentLogger()).child({ component: 'elasticsearch-sink' });
  const client = new Client({
    node: settings.node,
    ...(settings.apiKey === undefined ? {} : { auth: { apiKey: settings.apiKey } }),
    ...(settings.caCertificate === undefined ? {} : { tls: { ca: settings.caCertificate } }),
    // The sink retries by its own policy, item by item; the client's retries would resend
    // whole bulk requests blindly.
    maxRetries: 0,
    requestTimeout: settings.requestTimeoutMs,
  });
  const prefix = settings.indexPrefix;
  let closed = false;

  async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (closed) throw new SinkClosedError('elasticsearch', operation);
    try {
      return await work();
    } catch (error) {
      throw elasticsearchSinkError(operation, error);
    }
  }

  async function bulk(records: readonly WindowRecord[]): Promise<BulkResponseBody> {
    const operations: unknown[] = [];
    for (const record of records) {
      operations.push({
        index: { _index: windowIndexName(prefix, record.instrument), _id: record.id },
      });
      operations.push(record);
    }
    try {
      return (await client.bulk({
        operations,
        refresh: false,
        filter_path: BULK_FILTER_PATH,
      })) as BulkResponseBody;
    } catch (error) {
      throw elasticsearchSinkError('writeWindows', error);
    }
  }

  /** Sends one slice until every item is written or rejected, or the retries run out. */
  async function writeSlice(slice: readonly WindowRecord[]) {
    let pending = slice;
    let written = 0;
    const rejected: RejectedWindow[] = [];
    await retry(
      async () => {
        const body = await bulk(pending);
        const outcome = body.errors
          ? sortBulkItems(pending, body.items ?? [])
          : { written: pending.length, retry: [], rejected: [] };
        written += outcome.written;
        rejected.push(...outcome.rejected);
        pending = outcome.retry;
        if (pending.length > 0) {
          throw new SinkUnavailableError({
            sink: 'elasticsearch',
            operation: 'writeWindows',
            details: { retriableItems: pending.length, reason: outcome.retryReason },
          });
        }
      },
      {
        ...settings.retry,
        onRetry: ({ attempt, delayMs, error }) =>
          logger.warn({ attempt, delayMs, err: error }, 'elasticsearch bulk retry'),
      },
    );
    return { written, rejected };
  }

  return {
    indexPrefix: prefix,
    indexFor: (instrument: InstrumentType) => windowIndexName(prefix, instrument),

    ensureIndexTemplate: () =>
      guarded('ensureIndexTemplate', async () => {
        await client.indices.putIndexTemplate({
          name: windowIndexTemplateName(prefix),
          ...windowIndexTemplate(prefix, options),
        } as Parameters<typeof client.indices.putIndexTemplate>[0]);
        // Created up front rather than on the first bulk: the first write stays fast, and it
        // also works where the cluster forbids automatic index creation.
        for (const type of INSTRUMENT_TYPES)
          await createIndexIfAbsent(client, windowIndexName(prefix, type));
      }),

    writeWindows: (records: readonly WindowRecord[]) =>
      guarded('writeWindows', async (): Promise<ElasticsearchWriteResult> => {
        // One document per id: the last of a repeated window is the newest.
        const unique = lastWinsByKey(records, (record) => record.id);
        let written = 0;
        const rejected: RejectedWindow[] = [];
        for (const slice of chunk(unique, settings.maxDocumentsPerBulk)) {
          const result = await writeSlice(slice);
          written += result.written;
          rejected.push(...result.rejected);
        }
        if (rejected.length > 0)
          logger.warn(
            { rejected: rejected.length, first: rejected[0]?.reason },
            'documents rejected',
          );
        return { written, rejected };
      }),

    ping: () =>
      guarded('ping', async () => {
        await client.cluster.health({ timeout: '5s' });
      }),

    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

async function createIndexIfAbsent(client: Client, index: string): Promise<void> {
  try {
    await client.indices.create({ index });
  } catch (error) {
    const alreadyExists =
      error instanceof errors.ResponseError &&
      (error.body as { error?: { type?: string } } | undefined)?.error?.type ===
        'resource_already_exists_exception';
    if (!alreadyExists) throw error;
  }
}
