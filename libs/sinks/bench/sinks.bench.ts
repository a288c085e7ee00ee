// Write throughput of each sink against the shared local services, in windows/s, for batch
// sizes 500 and 5,000. Each run uses its own schema, index prefix and topics, and removes
// them. Run with `npx nx bench sinks`; copy the table into the README with the machine.
import { Client } from '@elastic/elasticsearch';
import type { WindowRecord } from '@geostream/instrument-schemas';
import { createKafka, createLogger } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import knexFactory from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  canonicalJson,
  createElasticsearchSink,
  createKafkaSink,
  createPostgresSink,
  perTypeTopicNamer,
  windowIndexTemplateName,
  type UpsertStrategy,
} from '../src';
import { windowRecords } from '../test/support/records';
import { benchMappingCost } from './elasticsearch-mapping';
import { measure, table, type Measurement } from './measure';

const services = testServices();
const BATCH_SIZES = [500, 5_000];
const WINDOWS_PER_CASE = Number(process.env['BENCH_WINDOWS'] ?? 50_000);
const INSTRUMENTS = 2_000;

/** Consecutive windows of INSTRUMENTS instruments, cut into batches (plus one warm-up batch). */
function batchesOf(size: number, offset = 0): WindowRecord[][] {
  const all = windowRecords(WINDOWS_PER_CASE + size, {
    instruments: INSTRUMENTS,
    startMs: Date.UTC(2022, 0, 1) + offset,
  });
  const out: WindowRecord[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

async function benchPostgres(results: Measurement[]): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: services.database.url });
  for (const strategy of ['unnest', 'values'] as UpsertStrategy[]) {
    for (const size of BATCH_SIZES) {
      const schema = uniqueName('sinks_bench');
      const sink = createPostgresSink({
        connectionString: services.database.url,
        schema,
        upsertStrategy: strategy,
      });
      try {
        await sink.migrate();
        const batches = batchesOf(size);
        const write = (windows: WindowRecord[]) =>
          sink.writeBatch({
            windows,
            checkpoints: [
              {
                consumerGroup: 'bench',
                topic: 'raw',
                partition: 0,
                nextOffset: '1',
                state: { n: 1 },
              },
            ],
          });
        results.push(
          await measure(`PostgreSQL ${strategy}, new rows`, batches, (b) => b.length, write),
        );
        results.push(
          await measure(
            `PostgreSQL ${strategy}, replay (overwrite)`,
            batches,
            (b) => b.length,
            write,
          ),
        );
      } finally {
        await sink.close();
        await admin.raw('drop schema if exists ?? cascade', [schema]);
      }
    }
  }
  await admin.destroy();
}

async function benchElasticsearch(results: Measurement[]): Promise<void> {
  if (!services.elasticsearch.enabled) return;
  const node = services.elasticsearch.url;
  const es = new Client({ node });
  for (const size of BATCH_SIZES) {
    const prefix = uniqueName('sinks-bench');
    const sink = createElasticsearchSink({ node, indexPrefix: prefix, numberOfReplicas: 0 });
    try {
      await sink.ensureIndexTemplate();
      const batches = batchesOf(size);
      const write = async (windows: WindowRecord[]) => {
        const result = await sink.writeWindows(windows);
        if (result.rejected.length > 0) throw new Error(`rejected: ${result.rejected[0]?.reason}`);
      };
      results.push(
        await measure('Elasticsearch bulk, new documents', batches, (b) => b.length, write),
      );
      results.push(
        await measure('Elasticsearch bulk, replay (overwrite)', batches, (b) => b.length, write),
      );
    } finally {
      await sink.close();
      await es.indices.delete({
        index: `${prefix}-*`,
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      await es.indices.deleteIndexTemplate(
        { name: windowIndexTemplateName(prefix) },
        { ignore: [404] },
      );
    }
  }
  await es.close();
}

async function benchKafka(results: Measurement[]): Promise<void> {
  const kafka = createKafka(services.kafka, createLogger('sinks-bench', 'warn'));
  const admin = kafka.admin();
  await admin.connect();
  for (const size of BATCH_SIZES) {
    const run = uniqueName('sinks-bench');
    const sink = createKafkaSink({
      kafka,
      topics: {
        perType: perTypeTopicNamer({ prefix: `${run}.` }),
        alerts: `${run}.alerts`,
        deadLetter: `${run}.dlq`,
      },
      partitions: 3,
    });
    try {
      await sink.ensureTopics();
      const batches = batchesOf(size);
      results.push(
        await measure(
          'Kafka sendBatch (acks=all, idempotent)',
          batches,
          (b) => b.length,
          (windows) => sink.write({ windows }),
        ),
      );
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [...sink.topicNames] });
    }
  }
  await admin.disconnect();
}

function benchSerialisation(): string {
  const windows = windowRecords(50_000);
  const time = (f: (w: WindowRecord) => string) => {
    const t = performance.now();
    let bytes = 0;
    for (const w of windows) bytes += f(w).length;
    return { perSecond: Math.round(windows.length / ((performance.now() - t) / 1000)), bytes };
  };
  time(canonicalJson);
  const canonical = time(canonicalJson);
  const plain = time((w) => JSON.stringify(w));
  return `canonicalJson: ${canonical.perSecond.toLocaleString('en')} windows/s; JSON.stringify: ${plain.perSecond.toLocaleString('en')} windows/s`;
}

async function main(): Promise<void> {
  const only = process.env['BENCH_SINKS']?.split(',') ?? ['postgres', 'elasticsearch', 'kafka'];
  const results: Measurement[] = [];
  if (only.includes('postgres')) await benchPostgres(results);
  if (only.includes('elasticsearch')) await benchElasticsearch(results);
  if (only.includes('kafka')) await benchKafka(results);
  console.log(
    `\n${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    `${WINDOWS_PER_CASE.toLocaleString('en')} windows per case (after one warm-up batch), ${INSTRUMENTS} instruments\n`,
  );
  console.log(table(results));
  console.log(`\nSerialisation (one core): ${benchSerialisation()}`);
  if (only.includes('elasticsearch') && services.elasticsearch.enabled)
    console.log(
      `\nElasticsearch's CPU per window document, 200,000 written, flushed and merged:\n` +
        (await benchMappingCost(services.elasticsearch.url)),
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
