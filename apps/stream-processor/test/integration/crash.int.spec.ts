import type { Client } from '@elastic/elasticsearch';
import { eventually } from '@geostream/platform/testing';
import type { Knex } from 'knex';
import type { Kafka, Producer } from 'kafkajs';
import { seededRandom, siteStream } from './support/site-stream';
import { expectSinksHoldModel, modelOf, waitForModel } from './support/verify';
import {
  cleanup,
  createRawTopic,
  elasticsearch,
  inspector,
  isolation,
  postgresCheckpoints,
  produce,
  sleep,
  startProcessorProcess,
  testKafka,
  type Isolation,
  type ProcessorProcess,
} from './support/harness';

const SPEC = { sizeMs: 1_000, graceMs: 500 };

describe('stream processor crashes (SIGKILL of a real process)', () => {
  let kafka: Kafka;
  let db: Knex;
  let es: Client;
  let test: Isolation;
  const processes: ProcessorProcess[] = [];
  let producer: Producer | undefined;

  beforeAll(() => {
    kafka = testKafka();
    db = inspector();
    es = elasticsearch();
  });

  afterEach(async () => {
    await producer?.disconnect().catch(() => undefined);
    await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
    await cleanup(kafka, test, db, es);
  });

  afterAll(async () => {
    await db.destroy();
    await es.close();
  });

  it('killed at random moments and restarted, it ends with exactly the windows of an uninterrupted run', async () => {
    // A quiet spell longer than the producer's pauses, so only the very end is an idle flush.
    test = isolation('crash', { IDLE_FLUSH_MS: '4000' });
    await createRawTopic(kafka, test, 3);
    const streams = siteStream({
      partitions: 3,
      instrumentsPerPartition: 8,
      steps: 160,
      stepMs: 100,
      seed: 7,
    });
    producer = kafka.producer({
      idempotent: true,
      transactionalId: `${test.id}-tx`,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    const start = () => {
      const child = startProcessorProcess(test, `run${processes.length}`);
      processes.push(child);
      return child;
    };
    let current = start();
    const producing = produce(
      producer,
      test,
      [...streams].map(([partition, payloads]) => ({ partition, payloads })),
      { chunk: 40, transactional: true, pauseMs: 400 },
    );
    producing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const random = seededRandom(11);
    const progress = async () =>
      (await postgresCheckpoints(db, test).catch(() => [])).reduce(
        (sum, c) => sum + Number(c.next_offset),
        0,
      );
    for (let kill = 0; kill < 3; kill++) {
      // Kill an instance that is working: once it has checkpointed something of its own.
      const before = await progress();
      await eventually(async () => ((await progress()) > before ? true : undefined), {
        timeoutMs: 60_000,
        what: `instance ${kill} checkpointing`,
      });
      await sleep(random() * 1_500);
      await current.kill('SIGKILL');
      expect(current.child.signalCode).toBe('SIGKILL');
      current = start();
    }
    await producing;
    await producer.disconnect();

    const model = await modelOf(kafka, test, SPEC);
    await waitForModel(db, es, test, model, 120_000);
    await expectSinksHoldModel(kafka, db, es, test, model);

    await current.kill('SIGTERM');
    expect(await current.exited).toBe(0);
  });
});
