// A producer at a steady rate whose event time follows the wall clock, as a live site's
// loggers do: the benchmark runs it as its own process, so it does not share the processor's
// event loop. Arguments come from the environment (see throughput.bench.ts).
import { createKafka, createLogger } from '@geostream/platform';
import { defined, testServices } from '@geostream/platform/testing';
import { BENCH_HEADERS, benchMessage, type Workload } from './workload';

async function main(): Promise<void> {
  const topic = defined(process.env['BENCH_TOPIC'], 'BENCH_TOPIC');
  const seconds = Number(process.env['BENCH_SECONDS']);
  const workload = JSON.parse(defined(process.env['BENCH_WORKLOAD'], 'BENCH_WORKLOAD')) as Workload;
  const kafka = createKafka(testServices().kafka, createLogger('bench-producer', 'error'));
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const t0 = Date.now();
  const perTick = workload.instrumentsPerPartition / 10; // 100 ms ticks, readingEveryMs 1,000
  let sent = 0;
  for (let tick = 0; tick < seconds * 10; tick++) {
    const due = t0 + tick * 100;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = Math.round(tick * perTick);
    const to = Math.round((tick + 1) * perTick);
    const topicMessages = [];
    for (let partition = 0; partition < workload.partitions; partition++) {
      const messages = [];
      for (let i = from; i < to; i++)
        messages.push({
          ...benchMessage(workload, partition, i, t0),
          partition,
          headers: BENCH_HEADERS,
        });
      topicMessages.push({ topic, messages });
      sent += messages.length;
    }
    await producer.sendBatch({ topicMessages, acks: -1 });
  }
  await producer.disconnect();
  process.stdout.write(JSON.stringify({ sent, seconds: (Date.now() - t0) / 1000 }) + '\n');
}

void main();
