/**
 * Producer throughput into Kafka (the shared broker, a topic of its own, deleted afterwards):
 * 1. the delivery path alone: readings pre-buffered, drained by the transactional sender;
 * 2. the splitter alone: a /params/all body of 5,000 readings cut into messages;
 * 3. end to end: the real mock-api (1,000 instruments per type) polled back to back.
 * Run: NX_DAEMON=false npx nx bench producer
 */
import { createKafka, createLogger, type KafkaSettings } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Registry } from 'prom-client';
import { readProducerConfig } from '../src/config';
import { createKafkaPort } from '../src/delivery/kafka-transport';
import { MessageQueue } from '../src/delivery/message-queue';
import { TransactionalSender } from '../src/delivery/transactional-sender';
import { splitResponse } from '../src/messages/split-response';
import { startProducer } from '../src/producer';

const logger = createLogger('producer-bench', 'warn');
const root = path.resolve(__dirname, '../../..');
const READINGS = Number(process.env['BENCH_READINGS'] ?? 200_000);
const END_TO_END_S = Number(process.env['BENCH_DURATION_S'] ?? 20);

function item(i: number): string {
  return JSON.stringify({
    borehole_number: `BH-${1000 + (i % 5000)}`,
    instrument: 'piezometer',
    surface_level: 82.33,
    northing: 5810968 + (i % 997),
    easting: 322179 + (i % 991),
    reading: Math.round(10_000 * Math.random()) / 100,
    timestamp: new Date(Date.UTC(2024, 0, 1) + i * 10).toISOString(),
  });
}

function envelopeBody(n: number, offset: number): Buffer {
  const items = Array.from({ length: n }, (_, i) => item(offset + i));
  return Buffer.from(
    `{"instruments":${n},"units":"pore pressure (kPa)","timezone":"UTC","items":[${items.join(',')}]}`,
  );
}

async function deleteTopic(kafka: ReturnType<typeof createKafka>, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  // Only those that exist: kafkajs retries the deletion of a missing topic for about 40 s,
  // warning each time (the delivery case never creates the state topic).
  const existing = new Set(await admin.listTopics());
  const topics = [topic, `${topic}.state`].filter((t) => existing.has(t));
  if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function deliveryPath(settings: KafkaSettings) {
  const kafka = createKafka(settings, logger);
  const topic = uniqueName('producer-bench');
  const queue = new MessageQueue();
  for (let offset = 0; offset < READINGS; offset += 5000) {
    const split = splitResponse(
      {
        target: 'piezometer',
        url: 'http://bench/params/piezometer',
        body: envelopeBody(5000, offset),
        contentType: 'application/json',
        receivedAtMs: Date.now(),
      },
      { producerId: 'bench', maxMessageBytes: 900_000 },
    );
    queue.push(split.messages);
  }
  const bytes = queue.bytes;
  let transactions = 0;
  const port = createKafkaPort(
    kafka,
    {
      topic,
      partitions: 6,
      replicationFactor: -1,
      retentionMs: 3_600_000,
      stateTopic: `${topic}.state`,
      transactionalId: topic,
      transactionTimeoutMs: 60_000,
      verifyTimeoutMs: 30_000,
    },
    logger,
  );
  await port.ensureTopic();
  const sender = new TransactionalSender(
    queue,
    port,
    {
      maxBatchMessages: 5_000,
      maxBatchBytes: 900_000,
      initialRetryDelayMs: 100,
      maxRetryDelayMs: 1_000,
    },
    {
      transaction: (outcome) => void (outcome === 'committed' && transactions++),
      failure: () => undefined,
    },
    logger,
  );
  const started = performance.now();
  sender.start();
  const report = await sender.stop(600_000);
  const seconds = (performance.now() - started) / 1000;
  await deleteTopic(kafka, topic);
  return { readings: READINGS - report.unflushed, seconds, transactions, mb: bytes / 1e6 };
}

function splitter() {
  const body = envelopeBody(5000, 0);
  const options = { producerId: 'bench', maxMessageBytes: 900_000 };
  const response = {
    target: 'all',
    url: 'http://bench/params/all',
    body,
    contentType: 'application/json',
    receivedAtMs: 0,
  };
  for (let i = 0; i < 20; i++) splitResponse(response, options);
  const runs = 100;
  const started = performance.now();
  for (let i = 0; i < runs; i++) splitResponse(response, options);
  const msPerBody = (performance.now() - started) / runs;
  return { msPerBody, readingsPerSecond: Math.round((5000 / msPerBody) * 1000) };
}

async function endToEnd(settings: KafkaSettings) {
  const api = spawn(
    path.join(root, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'apps/mock-api/tsconfig.json', 'apps/mock-api/src/main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SIM_INSTRUMENTS_PER_TYPE: '1000',
        // The producer pages through the API's log: scans every 100 ms record 50,000 readings/s,
        // more than it moves, so the figure stays the producer's (and mock-api's page building).
        SIM_SCAN_INTERVAL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve) => {
    readline.createInterface({ input: api.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'mock-api listening' && entry.url) resolve(entry.url);
    });
  });
  const topic = uniqueName('producer-bench-e2e');
  const kafka = createKafka(settings, logger);
  const registry = new Registry();
  const producer = startProducer(
    readProducerConfig({
      MOCK_API_URL: url,
      RAW_TOPIC: topic,
      PRODUCER_TRANSACTIONAL_ID: topic,
      POLL_TYPES: 'all',
      POLL_INTERVAL_MS: '10',
      POLL_TIMEOUT_MS: '10000',
    }),
    { kafka, logger, registry },
  );
  await new Promise((resolve) => setTimeout(resolve, END_TO_END_S * 1000));
  await producer.stop();
  api.kill('SIGTERM');
  const produced = (await producer.metrics.produced.get()).values[0]?.value ?? 0;
  await deleteTopic(kafka, topic);
  return { produced, readingsPerSecond: Math.round(produced / END_TO_END_S) };
}

async function main(): Promise<void> {
  const settings = testServices().kafka;
  const delivery = await deliveryPath(settings);
  const split = splitter();
  const e2e = await endToEnd(settings);
  console.table([
    {
      stage:
        'delivery: buffered readings -> Kafka (transactions of up to 5,000 readings / 900 KB, acks=all)',
      'readings/s': Math.round(delivery.readings / delivery.seconds),
      detail: `${delivery.readings} readings, ${delivery.mb.toFixed(0)} MB, ${delivery.transactions} transactions, ${delivery.seconds.toFixed(1)} s`,
    },
    {
      stage: 'split: /params/all body (5,000 items) -> messages',
      'readings/s': split.readingsPerSecond,
      detail: `${split.msPerBody.toFixed(1)} ms per body`,
    },
    {
      stage: 'end to end: mock-api (1,000/type) polled back to back -> Kafka',
      'readings/s': e2e.readingsPerSecond,
      detail: `${e2e.produced} readings in ${END_TO_END_S} s (mock-api in its own process)`,
    },
  ]);
  console.log(
    `${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
