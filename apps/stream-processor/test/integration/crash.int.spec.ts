import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { eventually, freePort } from '@geostream/platform/testing';
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
    // Two worker threads: each a consumer of the group, killed with the process, and stopped
    // with it by SIGTERM (exit code 0 only once both have checkpointed and left the group).
    test = isolation('crash', { IDLE_FLUSH_MS: '4000', PROCESSOR_WORKERS: '2' });
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
    let produced = false;
    void producing.then(() => (produced = true));
    const holdsPartitions = (instance: ReturnType<typeof start>) =>
      readFileSync(instance.logFile, 'utf8').includes('"joined the consumer group"');
    const random = seededRandom(11);
    const progress = async () =>
      (await postgresCheckpoints(db, test).catch(() => [])).reduce(
        (sum, c) => sum + Number(c.next_offset),
        0,
      );
    for (let kill = 0; kill < 3; kill++) {
      // Kill an instance that is working: once it has checkpointed something of its own. The
      // producer may finish first (a restart takes 4 to 11 s here, the whole production 13 to
      // 19 s): then nothing new is left to checkpoint, and an instance holding partitions is
      // killed while it replays its checkpoints' tail and flushes the last windows.
      const before = await progress();
      await eventually(
        async () =>
          (await progress()) > before || (produced && holdsPartitions(current)) ? true : undefined,
        { timeoutMs: 60_000, what: `instance ${kill} checkpointing` },
      );
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

    // Both worker threads of the last process hold partitions of the group. The sinks may hold
    // the model before it joins: its predecessor, caught up, closed the last windows itself.
    const joinedWorkers = () =>
      new Set(
        readFileSync(current.logFile, 'utf8')
          .split('\n')
          .filter((line) => line.includes('"joined the consumer group"'))
          .map((line) => (JSON.parse(line) as { worker: number }).worker),
      );
    await eventually(async () => (joinedWorkers().size === 2 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'both workers of the last process in the group',
    });
    expect(joinedWorkers()).toEqual(new Set([1, 2]));
    await expectSinksHoldModel(kafka, db, es, test, model);
    await current.kill('SIGTERM');
    expect(await current.exited).toBe(0);
  });

  it('with two worker threads: one /health and /metrics for the process, and a worker that cannot continue (a checkpoint it cannot read) stops the whole process non-zero', async () => {
    test = isolation('crashfatal', { PROCESSOR_WORKERS: '2' });
    await createRawTopic(kafka, test, 2);
    const streams = siteStream({
      partitions: 2,
      instrumentsPerPartition: 2,
      steps: 20,
      stepMs: 100,
      seed: 3,
    });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await produce(
      producer,
      test,
      [...streams].map(([partition, payloads]) => ({ partition, payloads })),
    );
    const port = await freePort();
    const first = startProcessorProcess(test, 'first', { PORT: String(port) });
    processes.push(first);
    await eventually(
      async () =>
        (await postgresCheckpoints(db, test).catch(() => [])).length === 2 ? true : undefined,
      { timeoutMs: 60_000, what: 'both partitions checkpointed' },
    );
    // Signals are handled once every worker has started and the process listens.
    await eventually(
      () =>
        readFileSync(first.logFile, 'utf8').includes('"stream-processor listening"')
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'the first process listening' },
    );
    // One /health and one /metrics for the process: each worker's part, summed.
    await eventually(
      async () => {
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          status: string;
          checks: Record<string, { ok: boolean; detail?: string }>;
        };
        const consumer = health.checks['consumer']?.detail ?? '';
        return health.status === 'ok' &&
          /worker 1: 1 partition/.test(consumer) &&
          /worker 2: 1 partition/.test(consumer)
          ? true
          : undefined;
      },
      { timeoutMs: 30_000, what: 'both workers holding a partition in /health' },
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^stream_processor_partitions_assigned\{[^}]*\} 2$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes\{[^}]*\} \d+$/m);
    // Each worker's own heap, next to the main thread's.
    for (const worker of ['1', '2'])
      expect(metrics).toMatch(
        new RegExp(
          `^stream_processor_worker_heap_used_bytes\\{[^}]*worker="${worker}"[^}]*\\} [1-9]\\d+$`,
          'm',
        ),
      );
    await first.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A checkpoint of a version this build cannot read: its worker must not guess.
    await db
      .withSchema(test.schema)
      .table('processor_checkpoint')
      .where({ consumer_group: test.group, partition: 0 })
      .update({ state: db.raw(`jsonb_set(state, '{version}', '99')`) });
    const second = startProcessorProcess(test, 'second');
    processes.push(second);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      second.exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 60_000))),
    ]);
    clearTimeout(timer);
    expect(code).toBe(1);
    const log = readFileSync(second.logFile, 'utf8');
    expect(log).toMatch(/"worker":\d.*stream processor cannot continue/);
    expect(log).toContain('stream-processor cannot continue; exiting');
  });
});
