import type { Client } from '@elastic/elasticsearch';
import { eventually, startTcpFaultProxy, type TcpFaultProxy } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka, Producer } from 'kafkajs';
import { startStreamProcessor, type StreamProcessor } from '../../src/shell/stream-processor';
import { siteStream } from './support/site-stream';
import { expectSinksHoldModel, modelOf, waitForModel } from './support/verify';
import {
  cleanup,
  configOf,
  createRawTopic,
  elasticsearch,
  inspector,
  isolation,
  postgresCheckpoints,
  produce,
  quietLogger,
  services,
  sleep,
  testKafka,
  type Isolation,
} from './support/harness';

const SPEC = { sizeMs: 1_000, graceMs: 500 };

function viaProxy(url: string, proxy: TcpFaultProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

async function counter(processor: StreamProcessor, name: string, labels: Record<string, string>) {
  const metric = (await processor.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + Number(v.value), 0);
}

describe('stream processor through a PostgreSQL outage', () => {
  let kafka: Kafka;
  let db: Knex;
  let es: Client;
  let test: Isolation;
  let proxy: TcpFaultProxy | undefined;
  let producer: Producer | undefined;
  let processor: StreamProcessor | undefined;

  beforeAll(() => {
    kafka = testKafka();
    db = inspector();
    es = elasticsearch();
  });

  afterEach(async () => {
    await producer?.disconnect().catch(() => undefined);
    proxy?.restore();
    await processor?.stop();
    await proxy?.close();
    await cleanup(kafka, test, db, es);
  });

  afterAll(async () => {
    await db.destroy();
    await es.close();
  });

  it('pauses while PostgreSQL is unreachable, does not crash, and loses nothing once it is back', async () => {
    test = isolation('outage', { IDLE_FLUSH_MS: '4000', STALL_TIMEOUT_MS: '2000' });
    const database = new URL(services.database.url);
    proxy = await startTcpFaultProxy({
      host: database.hostname,
      port: Number(database.port || 5432),
    });
    await createRawTopic(kafka, test, 2);
    const running = await startStreamProcessor(
      configOf(test, { DATABASE_URL: viaProxy(services.database.url, proxy) }),
      { logger: quietLogger },
    );
    processor = running; // stopped in afterEach
    const streams = [
      ...siteStream({
        partitions: 2,
        instrumentsPerPartition: 6,
        steps: 120,
        stepMs: 100,
        seed: 3,
      }),
    ];
    const half = (from: number, to: number) =>
      streams.map(([partition, payloads]) => ({
        partition,
        payloads: payloads.slice(
          Math.floor((payloads.length * from) / 3),
          Math.floor((payloads.length * to) / 3),
        ),
      }));
    producer = kafka.producer({
      idempotent: true,
      transactionalId: `${test.id}-tx`,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const checkpointed = async () =>
      (await postgresCheckpoints(db, test).catch(() => [])).reduce(
        (n, c) => n + Number(c.next_offset),
        0,
      );

    await produce(producer, test, half(0, 1), { chunk: 40, transactional: true, pauseMs: 200 });
    await eventually(async () => ((await checkpointed()) > 0 ? true : undefined), {
      what: 'a first checkpoint',
    });

    proxy.cut();
    await produce(producer, test, half(1, 2), { chunk: 40, transactional: true, pauseMs: 200 });
    await eventually(
      async () =>
        (await counter(running, 'stream_processor_sink_retries_total', { sink: 'postgres' })) > 0
          ? true
          : undefined,
      { what: 'postgres writes retried' },
    );
    // One more batch per partition may be processed while the stuck write retries; no more.
    await sleep(1_000);
    const during = await checkpointed();
    const positions = running.partitions().map((p) => p.nextOffset);
    await sleep(3_000);
    // Paused: no checkpoint lands, no partition moves on, and the process is still up, degraded.
    expect(await checkpointed()).toBe(during);
    expect(running.partitions().map((p) => p.nextOffset)).toEqual(positions);
    expect(running.health()).toMatchObject({
      status: 'degraded',
      checks: { postgres: { ok: false } },
    });
    // And the partitions with records waiting are named as stalled, with why (once the lag is
    // refreshed and STALL_TIMEOUT_MS has passed).
    const stalledChecks = () =>
      Object.entries(running.health().checks).filter(([name]) => name.startsWith('partition '));
    await eventually(async () => (stalledChecks().length > 0 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'a stalled partition named in /health',
    });
    for (const [, check] of stalledChecks())
      expect(check).toMatchObject({
        ok: false,
        detail: expect.stringContaining('writing to postgres keeps failing'),
      });
    const failed = await Promise.race([
      running.failed.then(() => true),
      sleep(10).then(() => false),
    ]);
    expect(failed).toBe(false);

    proxy.restore();
    await produce(producer, test, half(2, 3), { chunk: 40, transactional: true, pauseMs: 200 });
    await producer.disconnect();
    producer = undefined;

    const model = await modelOf(kafka, test, SPEC);
    await waitForModel(db, es, test, model);
    await expectSinksHoldModel(kafka, db, es, test, model);
    expect(running.health()).toMatchObject({ status: 'ok' });
  });
});
