import { Client } from 'pg';
import { createKafka, createLogger } from '../../src';
import {
  defined,
  startDisposableKafka,
  startTcpFaultProxy,
  testServices,
  uniqueName,
} from '../../src/testing';

const logger = createLogger('platform-testing', 'silent');

describe('startTcpFaultProxy', () => {
  it('cuts PostgreSQL off for the app behind it, then lets it through again', async () => {
    const database = new URL(testServices().database.url);
    const proxy = await startTcpFaultProxy({
      host: database.hostname,
      port: Number(database.port || 5432),
    });
    const viaProxy = new URL(database.toString());
    viaProxy.port = String(proxy.port);
    const query = async (): Promise<number> => {
      const client = new Client({
        connectionString: viaProxy.toString(),
        connectionTimeoutMillis: 2_000,
      });
      await client.connect();
      try {
        const { rows } = await client.query<{ one: number }>('select 1 as one');
        return defined(rows[0], 'the row of select 1').one;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    try {
      await expect(query()).resolves.toBe(1);
      proxy.cut();
      await expect(query()).rejects.toBeDefined();
      proxy.restore();
      await expect(query()).resolves.toBe(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('startDisposableKafka', () => {
  it('keeps committed messages across a crash and a restart', async () => {
    const broker = await startDisposableKafka();
    const settings = { ...testServices().kafka, brokers: broker.brokers };
    const topic = uniqueName('disposable');
    try {
      const kafka = createKafka(settings, logger);
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await admin.disconnect();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'before the crash' }] });
      await producer.disconnect();

      await broker.kill();
      await broker.start();

      const after = createKafka(settings, logger).admin();
      await after.connect();
      const offsets = await after.fetchTopicOffsets(topic);
      await after.disconnect();
      expect(offsets.map((o) => o.high)).toEqual(['1']);
    } finally {
      await broker.dispose();
    }
  });
});
