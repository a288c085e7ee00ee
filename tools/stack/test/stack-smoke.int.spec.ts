import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { createLogger, createKafka } from '@geostream/platform';
import { eventually, testServices, uniqueName } from '@geostream/platform/testing';
import knex, { type Knex } from 'knex';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Smoke test of the local stack through the clients the apps use: Kafka (produce, consume in a
 * group, admin), PostgreSQL (knex) and Elasticsearch. Each part uses its own topic, group,
 * schema and index.
 */
const services = testServices();
const logger = createLogger('stack-smoke', 'warn');

describe('the local stack', () => {
  it('Kafka: creates a topic, produces with acks=all, and consumes it in a consumer group', async () => {
    const kafka = createKafka(services.kafka, logger);
    const topic = uniqueName('smoke');
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: ['a', 'b', 'c'].map((key) => ({ key, value: JSON.stringify({ key }) })),
      });
      const received: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.key?.toString() ?? '');
        },
      });
      await eventually(() => (received.length === 3 ? received : undefined), {
        what: 'three messages',
      });
      expect(received.sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('Kafka: a committed transaction is read, an aborted one is not (read_committed)', async () => {
    const kafka = createKafka(services.kafka, logger);
    const topic = uniqueName('smoke-tx');
    const admin = kafka.admin();
    const producer = kafka.producer({
      transactionalId: uniqueName('smoke-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const consumer = kafka.consumer({
      groupId: uniqueName('smoke-tx-group'),
      readUncommitted: false,
    });
    try {
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'aborted', value: 'x' }] });
      await aborted.abort();
      const committed = await producer.transaction();
      await committed.send({ topic, messages: [{ key: 'committed', value: 'y' }] });
      await committed.commit();
      const received: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void received.push(message.key?.toString() ?? ''),
      });
      await eventually(() => (received.length > 0 ? received : undefined), {
        what: 'the committed message',
      });
      expect(received).toEqual(['committed']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('Kafka: the broker logged no unsupported-version request from kafkajs', () => {
    // Kafka 4 removed old protocol versions (KIP-896); kafkajs 2.2.4 must not hit any of them.
    const brokerLog = path.resolve(__dirname, '../../../.stack/logs/kafka.log');
    if (!existsSync(brokerLog)) return; // A broker not started by this stack: its log is elsewhere.
    const offending = readFileSync(brokerLog, 'utf8')
      .split('\n')
      .filter((line) => /unsupported.?version/i.test(line));
    expect(offending).toEqual([]);
  });

  it('PostgreSQL: writes and reads a row with knex in its own schema', async () => {
    const schema = uniqueName('smoke').replace(/-/g, '_');
    const db: Knex = knex({
      client: 'pg',
      connection: services.database.url,
      pool: { min: 0, max: 2 },
    });
    try {
      await db.schema.createSchema(schema);
      await db.schema.withSchema(schema).createTable('probe', (table) => {
        table.text('id').primary();
        table.double('reading').notNullable();
      });
      await db.withSchema(schema).table('probe').insert({ id: 'BH-1', reading: 75.07 });
      const rows = await db.withSchema(schema).table('probe').select('id', 'reading');
      expect(rows).toEqual([{ id: 'BH-1', reading: 75.07 }]);
    } finally {
      await db.schema.dropSchemaIfExists(schema, true);
      await db.destroy();
    }
  });

  it('Elasticsearch: indexes a document and finds it by search', async () => {
    if (!services.elasticsearch.enabled) return;
    const client = new ElasticsearchClient({ node: services.elasticsearch.url });
    const index = uniqueName('smoke');
    try {
      await client.index({
        index,
        id: 'BH-1',
        document: { instrument: 'piezometer', reading: 42.5 },
        refresh: 'wait_for',
      });
      const result = await client.search<{ reading: number }>({
        index,
        query: { term: { instrument: 'piezometer' } },
      });
      expect(result.hits.hits.map((hit) => hit._source?.reading)).toEqual([42.5]);
    } finally {
      await client.indices.delete({ index }).catch(() => undefined);
      await client.close();
    }
  });
});
