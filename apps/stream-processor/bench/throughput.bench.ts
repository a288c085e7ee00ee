// `npx nx bench stream-processor`: sustained readings/s through the whole processor (Kafka in,
// validation, windows, alerts, every sink out, checkpoints) on this machine, with all sinks and
// with each sink alone, and the latency from a window's close to its row in PostgreSQL.
//
// Environment: BENCH_READINGS (default 600000), BENCH_PARTITIONS (3), BENCH_SCENARIOS
// (comma-separated names, default all: consume, all, postgres, elasticsearch, kafka, none,
// sparse, live, memory; live-process on request: the live run against the built bundle in its
// own process, with BENCH_PROCESSOR_WORKERS), BENCH_LIVE_RATE (readings/s of the live run, 20000),
// BENCH_LIVE_SECONDS (30), BENCH_MEMORY_INSTRUMENTS (instruments held by the 'memory' run, in
// its own process, then killed and restarted: 100000), BENCH_PROCESSOR_NODE_FLAGS (node flags of
// that process, e.g. --optimize-for-size), BENCH_PROCESSOR_WORKERS (its PROCESSOR_WORKERS, default
// the processor's own: auto), BENCH_MEMORY_SETTLE_MS (how long the memory run waits once caught
// up before reading its RSS, 6000). Uses the shared local stack; names everything it creates uniquely
// and deletes it afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@elastic/elasticsearch';
import { createKafka, createLogger } from '@geostream/platform';
import { defined, testServices, uniqueName } from '@geostream/platform/testing';
import { windowIndexTemplateName } from '@geostream/sinks';
import knexFactory from 'knex';
import type { Kafka } from 'kafkajs';
import { readStreamProcessorConfig } from '../src/config';
import type { Sinks } from '../src/shell/sinks';
import { fetchSettings } from '../src/shell/fetch-settings';
import { HEAP_COMPACTED_MESSAGE } from '../src/shell/heap-compaction';
import { startStreamProcessor } from '../src/shell/stream-processor';
import { BENCH_HEADERS, BENCH_T0, benchMessage, type Workload } from './workload';

const services = testServices();
const logger = createLogger(
  'stream-processor-bench',
  (process.env['BENCH_LOG_LEVEL'] as 'error' | undefined) ?? 'error',
);
const env = process.env;
const READINGS = Number(env['BENCH_READINGS'] ?? 600_000);
const PARTITIONS = Number(env['BENCH_PARTITIONS'] ?? 3);
const LIVE_RATE = Number(env['BENCH_LIVE_RATE'] ?? 20_000);
const LIVE_SECONDS = Number(env['BENCH_LIVE_SECONDS'] ?? 30);
const MEMORY_INSTRUMENTS = Number(env['BENCH_MEMORY_INSTRUMENTS'] ?? 100_000);
/** Node/V8 flags of the processor's own process (memory run), e.g. --optimize-for-size. */
const PROCESSOR_NODE_FLAGS = (env['BENCH_PROCESSOR_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);

interface Scenario {
  readonly name: string;
  readonly label: string;
  readonly elasticsearch: boolean;
  readonly kafka: boolean;
  readonly postgres: boolean;
  readonly readingEveryMs: number;
}

// Dense: an instrument reads every second, ten readings per 10 s window. Sparse: one reading
// per window, so every reading becomes a window row, document and message.
const ALL_SINKS: Scenario = {
  name: 'all',
  label: 'all sinks',
  elasticsearch: true,
  kafka: true,
  postgres: true,
  readingEveryMs: 1_000,
};
const SCENARIOS: Scenario[] = [
  ALL_SINKS,
  {
    name: 'postgres',
    label: 'PostgreSQL alone',
    elasticsearch: false,
    kafka: false,
    postgres: true,
    readingEveryMs: 1_000,
  },
  {
    name: 'elasticsearch',
    label: 'Elasticsearch alone',
    elasticsearch: true,
    kafka: false,
    postgres: false,
    readingEveryMs: 1_000,
  },
  {
    name: 'kafka',
    label: 'Kafka alone',
    elasticsearch: false,
    kafka: true,
    postgres: false,
    readingEveryMs: 1_000,
  },
  {
    name: 'none',
    label: 'no sink (processing only)',
    elasticsearch: false,
    kafka: false,
    postgres: false,
    readingEveryMs: 1_000,
  },
  {
    name: 'sparse',
    label: 'all sinks, 1 reading per window',
    elasticsearch: true,
    kafka: true,
    postgres: true,
    readingEveryMs: 10_000,
  },
];

interface Result {
  readonly scenario: string;
  readonly readings: number;
  readonly seconds: number;
  readonly windows: number;
  readonly p50: number | undefined;
  readonly p99: number | undefined;
  /** Seconds spent in each sink's writes, summed over partitions (they overlap). */
  readonly sinkSeconds: Record<string, number>;
}

async function sinkSeconds(
  registry: import('prom-client').Registry,
): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === 'stream_processor_sink_write_seconds',
  );
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? [])
    if ((v as { metricName?: string }).metricName?.endsWith('_sum'))
      out[String(v.labels['sink'])] = Number(v.value);
  return out;
}

function quantile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Sinks that only pretend to write, so one real sink can be measured alone. */
function keepOnly(scenario: Scenario) {
  return (sinks: Sinks): Sinks => ({
    ...sinks,
    kafka: scenario.kafka ? sinks.kafka : { ...sinks.kafka, write: async () => ({ messages: 0 }) },
    postgres: scenario.postgres
      ? sinks.postgres
      : {
          ...sinks.postgres,
          writeBatch: async () => ({
            windows: 0,
            alerts: 0,
            instrumentStates: 0,
            checkpoints: 0,
            instrumentCheckpoints: 0,
          }),
        },
  });
}

async function preload(
  kafka: Kafka,
  topic: string,
  workload: Workload,
  perPartition: number,
  /** Appends messages fromIndex.. of each partition to the existing topic instead. */
  fromIndex = 0,
  /** Event time of the first reading (see benchMessage). */
  t0 = BENCH_T0,
): Promise<void> {
  if (fromIndex === 0) {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: workload.partitions }],
    });
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const chunk = 2_000; // a record batch must stay under the broker's 1 MiB message limit
  for (let from = fromIndex; from < perPartition; from += chunk) {
    const topicMessages = [];
    for (let partition = 0; partition < workload.partitions; partition++) {
      const messages = [];
      for (let i = from; i < Math.min(from + chunk, perPartition); i++)
        messages.push({
          ...benchMessage(workload, partition, i, t0),
          partition,
          headers: BENCH_HEADERS,
        });
      topicMessages.push({ topic, messages });
    }
    await producer.sendBatch({ topicMessages, acks: -1 });
  }
  await producer.disconnect();
}

async function cleanupOutputs(
  kafka: Kafka,
  id: string,
  es: Client,
  dropTopics: string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter(
    (t) => t.startsWith(id) || dropTopics.includes(t),
  );
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  const db = knexFactory({ client: 'pg', connection: services.database.url });
  await db.raw('drop schema if exists ?? cascade', [id]);
  await db.destroy();
  await es.indices.delete({ index: `${id}-*`, allow_no_indices: true }).catch(() => undefined);
  await es.indices
    .deleteIndexTemplate({ name: windowIndexTemplateName(id) })
    .catch(() => undefined);
}

function configFor(id: string, rawTopic: string, scenario: Scenario) {
  return readStreamProcessorConfig(envFor(id, rawTopic, scenario));
}

function envFor(id: string, rawTopic: string, scenario: Scenario): NodeJS.ProcessEnv {
  return {
    ...env,
    KAFKA_BROKERS: services.kafka.brokers.join(','),
    DATABASE_URL: services.database.url,
    ELASTICSEARCH_URL:
      scenario.elasticsearch && services.elasticsearch.enabled ? services.elasticsearch.url : 'off',
    RAW_TOPIC: rawTopic,
    DLQ_TOPIC: `${id}.dlq`,
    ALERTS_TOPIC: `${id}.alerts`,
    OUTPUT_TOPIC_PREFIX: `${id}.`,
    CONSUMER_GROUP: `${id}-group`,
    PG_SCHEMA: id,
    ES_INDEX_PREFIX: id,
    IDLE_FLUSH_MS: '600000',
    LOG_LEVEL: 'error',
  };
}

/** Runs the processor over a pre-loaded topic from its start until every record is checkpointed. */
async function runBacklog(kafka: Kafka, es: Client, scenario: Scenario): Promise<Result> {
  const id = uniqueName('bench').replace(/-/g, '');
  const rawTopic = `${id}.raw`;
  const workload: Workload = {
    partitions: PARTITIONS,
    instrumentsPerPartition: 1_000,
    readingEveryMs: scenario.readingEveryMs,
  };
  const perPartition = Math.floor(READINGS / PARTITIONS);
  await preload(kafka, rawTopic, workload, perPartition);
  const latencies: number[] = [];
  const processor = await startStreamProcessor(configFor(id, rawTopic, scenario), {
    logger,
    wrapSinks: keepOnly(scenario),
    onWindowLatency: (ms) => latencies.push(ms),
  });
  try {
    let started: number | undefined;
    for (;;) {
      const partitions = processor.partitions();
      if (started === undefined && partitions.some((p) => (p.nextOffset ?? 0) > 0))
        started = performance.now();
      const done =
        partitions.length === PARTITIONS &&
        partitions.every((p) => p.written && (p.nextOffset ?? 0) >= perPartition);
      if (done) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds =
      (performance.now() - defined(started, 'the time the first partition moved')) / 1000;
    const windows = processor.partitions().reduce((n, p) => n + (p.accounting?.windows ?? 0), 0);
    latencies.sort((a, b) => a - b);
    return {
      scenario: scenario.label,
      readings: perPartition * PARTITIONS,
      seconds,
      windows,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      sinkSeconds: await sinkSeconds(processor.metrics.registry),
    };
  } finally {
    await processor.stop();
    await cleanupOutputs(kafka, id, es, [rawTopic]);
  }
}

/**
 * kafkajs' own consume rate on this machine: the same pre-loaded backlog read by a consumer
 * with the processor's fetch settings, whose eachBatch only touches each message's value. The
 * processing-only run can be no faster than this; the issue's goal is 150,000 readings/s or
 * this rate, whichever is lower.
 */
async function runConsume(kafka: Kafka, es: Client): Promise<Result> {
  const id = uniqueName('bench').replace(/-/g, '');
  const rawTopic = `${id}.raw`;
  const workload: Workload = {
    partitions: PARTITIONS,
    instrumentsPerPartition: 1_000,
    readingEveryMs: ALL_SINKS.readingEveryMs,
  };
  const perPartition = Math.floor(READINGS / PARTITIONS);
  await preload(kafka, rawTopic, workload, perPartition);
  const consumerSettings = configFor(id, rawTopic, ALL_SINKS).consumer;
  const consumer = kafka.consumer({
    groupId: `${id}-group`,
    ...fetchSettings(consumerSettings),
  });
  let consumed = 0;
  let bytes = 0;
  let started: number | undefined;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        started ??= performance.now();
        for (const message of batch.messages) bytes += message.value?.length ?? 0;
        consumed += batch.messages.length;
        if (consumed >= perPartition * PARTITIONS) finished();
      },
    });
    await done;
    const seconds = (performance.now() - defined(started, 'the time the first batch came')) / 1000;
    return {
      scenario: `kafkajs consume only (${Math.round(bytes / consumed)} bytes per message)`,
      readings: consumed,
      seconds,
      windows: 0,
      p50: undefined,
      p99: undefined,
      sinkSeconds: {},
    };
  } finally {
    await consumer.disconnect();
    await cleanupOutputs(kafka, id, es, [rawTopic]);
  }
}

/** A steady producer (its own process) at LIVE_RATE while the processor keeps up. */
async function runLive(kafka: Kafka, es: Client): Promise<Result> {
  const scenario = ALL_SINKS;
  const id = uniqueName('bench').replace(/-/g, '');
  const rawTopic = `${id}.raw`;
  const workload: Workload = {
    partitions: PARTITIONS,
    instrumentsPerPartition: Math.round(LIVE_RATE / PARTITIONS),
    readingEveryMs: 1_000,
  };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: rawTopic, numPartitions: PARTITIONS }],
  });
  await admin.disconnect();
  const latencies: number[] = [];
  const processor = await startStreamProcessor(configFor(id, rawTopic, scenario), {
    logger,
    onWindowLatency: (ms) => latencies.push(ms),
  });
  try {
    // Let the group settle before the clock starts.
    while (processor.partitions().length < PARTITIONS) await new Promise((r) => setTimeout(r, 100));
    const produced = await produceSteadily(rawTopic, workload);
    const windows = processor.partitions().reduce((n, p) => n + (p.accounting?.windows ?? 0), 0);
    latencies.sort((a, b) => a - b);
    return {
      scenario: `live: ${Math.round(produced.sent / produced.seconds)} readings/s produced steadily, all sinks`,
      readings: produced.sent,
      seconds: produced.seconds,
      windows,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      sinkSeconds: await sinkSeconds(processor.metrics.registry),
    };
  } finally {
    await processor.stop();
    await cleanupOutputs(kafka, id, es, [rawTopic]);
  }
}

/** LIVE_SECONDS of readings at the workload's pace from a producer of its own process. */
async function produceSteadily(
  rawTopic: string,
  workload: Workload,
): Promise<{ sent: number; seconds: number }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, path.join(__dirname, 'steady-producer.ts')],
    {
      env: {
        ...env,
        BENCH_TOPIC: rawTopic,
        BENCH_SECONDS: String(LIVE_SECONDS),
        BENCH_WORKLOAD: JSON.stringify(workload),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 8_000)); // the last windows close
  return JSON.parse(output) as { sent: number; seconds: number };
}

/**
 * The live run against the processor as `npm start` runs it (the built bundle, its own process,
 * PROCESSOR_WORKERS from BENCH_PROCESSOR_WORKERS or its default): the latency read from its
 * /metrics histogram, so p50 and p99 are bucket bounds (the smallest bound holding that share),
 * with the shares of windows within 1 s and 2 s exact.
 */
async function runLiveProcess(kafka: Kafka, es: Client): Promise<Result> {
  const id = uniqueName('bench').replace(/-/g, '');
  const rawTopic = `${id}.raw`;
  const workload: Workload = {
    partitions: PARTITIONS,
    instrumentsPerPartition: Math.round(LIVE_RATE / PARTITIONS),
    readingEveryMs: 1_000,
  };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: rawTopic, numPartitions: PARTITIONS }],
  });
  await admin.disconnect();
  const workers = env['BENCH_PROCESSOR_WORKERS'];
  const processor = new ProcessorProcess(
    { ...envFor(id, rawTopic, ALL_SINKS), ...(workers && { PROCESSOR_WORKERS: workers }) },
    20_000 + Math.floor(Math.random() * 20_000),
  );
  try {
    await processor.until(
      async () => (await processor.metric('stream_processor_partitions_assigned')) >= PARTITIONS,
    );
    const produced = await produceSteadily(rawTopic, workload);
    const buckets = await processor.histogram('stream_processor_window_close_to_postgres_seconds');
    const count = buckets.get(Infinity) ?? 0;
    const bound = (q: number) => {
      for (const [le, n] of buckets) if (n >= q * count) return le * 1000;
      return undefined;
    };
    const share = (le: number) => `${((100 * (buckets.get(le) ?? 0)) / count).toFixed(2)}%`;
    return {
      scenario: `live, own process (${workers ?? 'default'} workers): ${Math.round(produced.sent / produced.seconds)} readings/s produced steadily, all sinks; windows within 1 s ${share(1)}, within 2 s ${share(2)}; heap compactions (after a backlog only): ${processor.logs.filter((l) => l['msg'] === HEAP_COMPACTED_MESSAGE).length}`,
      readings: produced.sent,
      seconds: produced.seconds,
      windows: count,
      p50: bound(0.5),
      p99: bound(0.99),
      sinkSeconds: await processor.sumsByLabel('stream_processor_sink_write_seconds', 'sink'),
    };
  } finally {
    await processor.kill('SIGTERM');
    await cleanupOutputs(kafka, id, es, [rawTopic]);
  }
}

/** The processor as `npm start` runs it, in its own process; its /metrics read as numbers. */
class ProcessorProcess {
  private readonly child: ChildProcess;
  readonly startedAt = performance.now();
  /** Its JSON log lines, parsed. */
  readonly logs: Array<Record<string, unknown>> = [];
  /** How it ended, once it has (a start-up failure, a crash, or our kill). */
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    childEnv: NodeJS.ProcessEnv,
    private readonly port: number,
  ) {
    // The built bundle, run as the Docker image runs it: tsx's loader would add its own memory.
    this.child = spawn(
      process.execPath,
      [
        ...PROCESSOR_NODE_FLAGS,
        '--enable-source-maps',
        path.join(__dirname, '../../../dist/apps/stream-processor/main.js'),
      ],
      {
        // glibc's threshold as the Docker image sets it (the environment may override it).
        env: {
          MALLOC_MMAP_THRESHOLD_: '131072',
          ...childEnv,
          PORT: String(port),
          LOG_LEVEL: 'info',
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.child.once('exit', (code, signal) => (this.exit = { code, signal }));
    createInterface({ input: defined(this.child.stdout, 'stdout') }).on('line', (line) => {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    });
  }

  /** Every sample of a metric, summed (0 while the process does not answer). */
  async metric(name: string): Promise<number> {
    try {
      const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n'))
        if (line.split(/[ {]/, 1)[0] === name) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      return sum;
    } catch {
      return 0;
    }
  }

  /** A histogram's sums by the value of one of its labels, summed over the other labels. */
  async sumsByLabel(name: string, label: string): Promise<Record<string, number>> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    const sums: Record<string, number> = {};
    const pattern = new RegExp(`^${name}_sum\\{.*\\b${label}="([^"]+)".*\\} (\\S+)$`);
    for (const line of text.split('\n')) {
      const match = pattern.exec(line);
      if (match?.[1] !== undefined) sums[match[1]] = (sums[match[1]] ?? 0) + Number(match[2]);
    }
    return sums;
  }

  /** A histogram's cumulative counts by upper bound (le), ascending, summed over label sets. */
  async histogram(name: string): Promise<Map<number, number>> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    const counts = new Map<number, number>();
    for (const line of text.split('\n')) {
      const le = /^(\w+)_bucket\{.*le="([^"]+)".*\} (\S+)$/.exec(line);
      if (le?.[1] !== name) continue;
      const bound = le[2] === '+Inf' ? Infinity : Number(le[2]);
      counts.set(bound, (counts.get(bound) ?? 0) + Number(le[3]));
    }
    return new Map([...counts].sort(([a], [b]) => a - b));
  }

  /** The highest resident memory seen by `until`, which samples it every 250 ms. */
  peakRss = 0;

  /** Seconds since the process started, once `condition` holds. */
  async until(condition: () => Promise<boolean>): Promise<number> {
    for (;;) {
      // A processor that died never gets there: say so rather than wait for ever.
      if (this.exit !== undefined) {
        const last = this.logs.filter((l) => Number(l['level']) >= 50).slice(-3);
        throw new Error(
          `the processor exited (code ${this.exit.code}, signal ${this.exit.signal}) before the bench's condition held; its last errors: ${JSON.stringify(last)}`,
        );
      }
      this.peakRss = Math.max(this.peakRss, await this.metric('process_resident_memory_bytes'));
      if (await condition()) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return (performance.now() - this.startedAt) / 1000;
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.exit !== undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill(signal);
    await exited;
  }
}

/**
 * MEMORY_INSTRUMENTS instruments, each with readings in an open window, held by one processor
 * in its own process (all sinks): its resident memory once caught up. Then one more reading
 * of each is appended, the processor SIGKILLed at once, and a new one timed until it has read
 * back the checkpoint (every instrument's row), replayed what followed it and caught up.
 */
async function runMemory(kafka: Kafka, es: Client): Promise<string[]> {
  const id = uniqueName('bench').replace(/-/g, '');
  const rawTopic = `${id}.raw`;
  const workload: Workload = {
    partitions: PARTITIONS,
    instrumentsPerPartition: Math.ceil(MEMORY_INSTRUMENTS / PARTITIONS),
    readingEveryMs: 1_000,
  };
  // Eight seconds of readings: every instrument's first 10 s window is open.
  const perPartition = workload.instrumentsPerPartition * 8;
  // Readings of now, as a live site sends them: clocks right, windows open, nothing skewed.
  const t0 = Math.ceil(Date.now() / 10_000) * 10_000;
  await preload(kafka, rawTopic, workload, perPartition, 0, t0);
  const childEnv = {
    ...envFor(id, rawTopic, ALL_SINKS),
    CHECKPOINT_INTERVAL_MS: '2000',
    ...(env['BENCH_PROCESSOR_WORKERS'] && { PROCESSOR_WORKERS: env['BENCH_PROCESSOR_WORKERS'] }),
  };
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  const settleMs = Number(env['BENCH_MEMORY_SETTLE_MS'] ?? 6_000);
  try {
    const first = new ProcessorProcess(childEnv, port);
    const caughtUp = await first.until(
      async () =>
        (await first.metric('stream_processor_messages_consumed_total')) >=
        perPartition * PARTITIONS,
    );
    // Checkpointed (every CHECKPOINT_INTERVAL_MS), and settled.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const rss = await first.metric('process_resident_memory_bytes');
    // The main thread's heap plus each worker thread's (absent with one worker: it is the main).
    const heap =
      (await first.metric('nodejs_heap_size_used_bytes')) +
      (await first.metric('stream_processor_worker_heap_used_bytes'));
    const heapTotal =
      (await first.metric('nodejs_heap_size_total_bytes')) +
      (await first.metric('stream_processor_worker_heap_size_bytes'));
    const external = await first.metric('nodejs_external_memory_bytes');
    await preload(
      kafka,
      rawTopic,
      workload,
      perPartition + workload.instrumentsPerPartition,
      perPartition,
      t0,
    );
    await first.kill('SIGKILL');

    const second = new ProcessorProcess(childEnv, port);
    // Each partition's latest restore: with worker threads, the first worker may take every
    // partition and restore it before a rebalance hands some to the others, which restore again.
    const restored = () => [
      ...new Map(
        second.logs
          .filter((l) => l['msg'] === 'checkpoint restored')
          .map((l) => [l['partition'], l] as const),
      ).values(),
    ];
    const restarted = await second.until(
      async () =>
        restored().length === PARTITIONS &&
        (await second.metric('stream_processor_partitions_assigned')) === PARTITIONS &&
        (await second.metric('stream_processor_consumer_lag')) === 0,
    );
    // Each thread compacts its heap once caught up after a backlog (COMPACT_HEAP_AFTER_BACKLOG_MS).
    const compactions = (logs: ReadonlyArray<Record<string, unknown>>) => {
      const done = logs.filter((l) => l['msg'] === HEAP_COMPACTED_MESSAGE);
      if (done.length === 0) return 'no heap compaction';
      const total = (field: string) => done.reduce((n, l) => n + Number(l[field] ?? 0), 0);
      return `heap compacted ${done.length} time(s) once caught up, ${total('heapMbBefore')} to ${total('heapMbAfter')} MB in ${Math.max(...done.map((l) => Number(l['tookMs'])))} ms at most`;
    };
    const sum = (field: string) => restored().reduce((n, l) => n + Number(l[field] ?? 0), 0);
    const slowest = (field: string) => Math.max(...restored().map((l) => Number(l[field] ?? 0)));
    // Settled as the first was: its checkpoint written, and the heap compacted if it is.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const rssAfter = await second.metric('process_resident_memory_bytes');
    await second.kill('SIGTERM');
    return [
      `| ${MEMORY_INSTRUMENTS.toLocaleString('en')} instruments with open windows (${(perPartition * PARTITIONS).toLocaleString('en')} readings, caught up ${caughtUp.toFixed(0)} s after the start) | RSS ${mb(rss)} (peak while catching up ${mb(first.peakRss)}), V8 heaps (every thread) used ${mb(heap)} of ${mb(heapTotal)}, external ${mb(external)}; ${compactions(first.logs)} |`,
      `| the same, one more reading each, SIGKILLed and restarted | caught up again ${restarted.toFixed(1)} s after the restart; ${sum('instruments').toLocaleString('en')} instrument rows read back, slowest partition: read ${slowest('readMs')} ms, rebuilt ${slowest('rebuildMs')} ms; RSS ${mb(rssAfter)} (peak ${mb(second.peakRss)}); ${compactions(second.logs)} |`,
    ];
  } finally {
    await cleanupOutputs(kafka, id, es, [rawTopic]);
  }
}

async function main(): Promise<void> {
  const kafka = createKafka(services.kafka, logger);
  const es = new Client({
    node: services.elasticsearch.enabled ? services.elasticsearch.url : 'http://127.0.0.1:9200',
  });
  const wanted = new Set(
    (
      env['BENCH_SCENARIOS'] ??
      ['consume', ...SCENARIOS.map((s) => s.name), 'live', 'memory'].join(',')
    ).split(','),
  );
  const cpu = (() => {
    try {
      return execSync("lscpu | grep 'Model name'")
        .toString()
        .replace(/Model name:\s*/, '')
        .trim();
    } catch {
      return os.cpus()[0]?.model ?? 'unknown';
    }
  })();
  console.log(
    `Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}; Kafka, PostgreSQL and Elasticsearch on the same cores.`,
  );
  console.log(
    `Backlog runs: ${READINGS} readings over ${PARTITIONS} partitions, one reading per message, 10 s windows, 5 s grace.\n`,
  );
  console.log(
    '| Scenario | Readings/s | Windows/s | Window close -> PostgreSQL p50 | p99 | Run (s) | Time in sink writes (s, summed over partitions) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v)} ms`);
  const runs: Array<() => Promise<Result>> = [
    ...(wanted.has('consume') ? [() => runConsume(kafka, es)] : []),
    ...SCENARIOS.filter((s) => wanted.has(s.name)).map((s) => () => runBacklog(kafka, es, s)),
    ...(wanted.has('live') ? [() => runLive(kafka, es)] : []),
    ...(wanted.has('live-process') ? [() => runLiveProcess(kafka, es)] : []),
  ];
  const memoryRows = wanted.has('memory') ? await runMemory(kafka, es) : [];
  for (const run of runs) {
    const r = await run();
    console.log(
      `| ${r.scenario} | ${Math.round(r.readings / r.seconds).toLocaleString('en')} | ${Math.round(r.windows / r.seconds).toLocaleString('en')} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.seconds.toFixed(1)} | ${Object.entries(
        r.sinkSeconds,
      )
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')} |`,
    );
  }
  if (memoryRows.length > 0)
    console.log(['\n| Held in memory | Result |', '| --- | --- |', ...memoryRows].join('\n'));
  await es.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
