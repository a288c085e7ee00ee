import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { defined, eventually } from '@geostream/platform/testing';
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

/** The partitions an instance held after its last group join, from its log. */
function lastAssignment(instance: ProcessorProcess): number[] {
  const joins = readFileSync(instance.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"joined the consumer group"'))
    .map((line) => (JSON.parse(line) as { partitions: number[] }).partitions);
  return joins[joins.length - 1] ?? [];
}

describe('stream processor scaled out (three real processes in one group)', () => {
  let kafka: Kafka;
  let db: Knex;
  let es: Client;
  let test: Isolation;
  let producer: Producer | undefined;
  const instances: ProcessorProcess[] = [];

  beforeAll(() => {
    kafka = testKafka();
    db = inspector();
    es = elasticsearch();
  });

  afterEach(async () => {
    await producer?.disconnect().catch(() => undefined);
    await Promise.all(instances.splice(0).map((p) => p.kill('SIGKILL')));
    await cleanup(kafka, test, db, es);
  });

  afterAll(async () => {
    await db.destroy();
    await es.close();
  });

  it('shares the partitions, and when one instance is killed the others take over: nothing lost or doubled', async () => {
    test = isolation('scale', { IDLE_FLUSH_MS: '4000' });
    await createRawTopic(kafka, test, 6);
    for (let i = 0; i < 3; i++) instances.push(startProcessorProcess(test, `instance${i}`));

    const streams = siteStream({
      partitions: 6,
      instrumentsPerPartition: 4,
      steps: 200,
      stepMs: 100,
      seed: 5,
    });
    producer = kafka.producer({
      idempotent: true,
      transactionalId: `${test.id}-tx`,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const producing = produce(
      producer,
      test,
      [...streams].map(([partition, payloads]) => ({ partition, payloads })),
      { chunk: 30, transactional: true, pauseMs: 400 },
    );
    producing.catch(() => undefined); // awaited below

    // Once all three hold partitions and every partition has checkpointed, kill one of them.
    await eventually(
      async () => {
        const held = instances.map(lastAssignment);
        const checkpoints = await postgresCheckpoints(db, test).catch(() => []);
        return held.every((p) => p.length > 0) && checkpoints.length === 6 ? true : undefined;
      },
      { timeoutMs: 60_000, what: 'three instances sharing six partitions' },
    );
    const random = seededRandom(23);
    await sleep(random() * 2_000);
    const victim = defined(instances[Math.floor(random() * 3)], 'the instance to kill');
    expect(lastAssignment(victim).length).toBeGreaterThan(0);
    await victim.kill('SIGKILL');

    await producing;
    await producer.disconnect();
    producer = undefined;

    const model = await modelOf(kafka, test, SPEC);
    await waitForModel(db, es, test, model, 120_000);
    await expectSinksHoldModel(kafka, db, es, test, model);

    const survivors = instances.filter((i) => i !== victim);
    expect(survivors.flatMap(lastAssignment).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await Promise.all(survivors.map((s) => s.kill('SIGTERM')));
    expect(await Promise.all(survivors.map((s) => s.exited))).toEqual([0, 0]);
  });
});
