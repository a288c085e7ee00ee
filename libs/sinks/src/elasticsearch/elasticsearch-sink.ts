import { Client, errors } from '@elastic/elasticsearch';
import {
  INSTRUMENT_TYPES,
  type InstrumentType,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import { silentLogger } from '../silent-logger';
import { writeBulk } from './bulk-writer';
import { elasticsearchGuard } from './elasticsearch-errors';
import { windowIndexName, windowIndexTemplate, windowIndexTemplateName } from './index-template';
import { resolveElasticsearchOptions, type ResolvedElasticsearchOptions } from './options';
import type {
  ElasticsearchSink,
  ElasticsearchSinkOptions,
  ElasticsearchWriteResult,
} from './types';

/** Elasticsearch sink: one index per type from an explicit template, bulk with _id = window id. */
export function createElasticsearchSink(options: ElasticsearchSinkOptions): ElasticsearchSink {
  const settings = resolveElasticsearchOptions(options);
  const logger = (options.logger ?? silentLogger()).child({ component: 'elasticsearch-sink' });
  const client = createElasticsearchClient(settings);
  const prefix = settings.indexPrefix;
  let closed = false;
  const guarded = elasticsearchGuard(() => closed);

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
      guarded('writeWindows', (): Promise<ElasticsearchWriteResult> =>
        writeBulk(
          client,
          records,
          (record) => ({ index: windowIndexName(prefix, record.instrument), id: record.id }),
          {
            retry: settings.retry,
            maxDocumentsPerBulk: settings.maxDocumentsPerBulk,
            logger,
            operation: 'writeWindows',
          },
        ),
      ),

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

/** The client both Elasticsearch writers use: the sinks retry by their own policy, item by item. */
export function createElasticsearchClient(settings: ResolvedElasticsearchOptions): Client {
  return new Client({
    node: settings.node,
    ...(settings.apiKey === undefined ? {} : { auth: { apiKey: settings.apiKey } }),
    ...(settings.caCertificate === undefined ? {} : { tls: { ca: settings.caCertificate } }),
    // The client's retries would resend whole bulk requests blindly.
    maxRetries: 0,
    requestTimeout: settings.requestTimeoutMs,
  });
}

export async function createIndexIfAbsent(client: Client, index: string): Promise<void> {
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
