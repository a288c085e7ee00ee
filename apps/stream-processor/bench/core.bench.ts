// `npx nx bench-core stream-processor`: the processor's pure core alone (decode, validate,
// window, alarms, checkpoints), no Kafka, no sinks, on this machine:
//   throughput   readings/s of one partition's core (wall and CPU time), alarms on and off;
//   checkpoints  bytes one incremental checkpoint writes, with every instrument changing and
//                with a tenth of them changing, at the same number of instruments held;
//   memory       heap and RSS holding BENCH_MEMORY_INSTRUMENTS instruments (default 100,000),
//                each with its open window, its clock, its alarm states;
//   restore      rebuilding that partition from its checkpoint rows, as read from PostgreSQL.
// Workload: one reading per message, 10 s windows with 5 s grace, the library's default alarm
// rules (rates and silence on). Run with --expose-gc (the target does) for settled memory.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { tumblingWindows } from '@geostream/windowed-aggregator';
import {
  PartitionProcessor,
  type PartitionProcessorOptions,
} from '../src/core/partition-processor';
import type { RawMessage } from '../src/core/raw-message';
import type { StoredPartitionCheckpoint } from '../src/core/checkpoint-state';
import { alarmRulesFromSiteConfig } from '../src/core/trigger-levels';
import { benchMessage, BENCH_T0, type Workload } from './workload';

const env = process.env;
/** One of six partitions of 10,000 instruments. */
const THROUGHPUT_INSTRUMENTS = Number(env['BENCH_INSTRUMENTS'] ?? 1_667);
const THROUGHPUT_READINGS = Number(env['BENCH_CORE_READINGS'] ?? 600_000);
const MEMORY_INSTRUMENTS = Number(env['BENCH_MEMORY_INSTRUMENTS'] ?? 100_000);
const MEMORY_ALARMS = env['BENCH_MEMORY_ALARMS'] !== 'off';
const BATCH = 500;

function optionsOf(alarms: boolean): PartitionProcessorOptions {
  return {
    topic: 'bench',
    partition: 0,
    spec: tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 }),
    siteConfig: undefined,
    ...(alarms && { alarmRules: alarmRulesFromSiteConfig(undefined) }),
  };
}

/** Messages `from` to `to` of one partition, each in the log a second after its reading. */
function messages(workload: Workload, from: number, to: number): RawMessage[] {
  const out: RawMessage[] = [];
  for (let i = from; i < to; i++) {
    const { key, value } = benchMessage(workload, 0, i);
    const step = Math.floor(i / workload.instrumentsPerPartition);
    const logMs = BENCH_T0 + step * workload.readingEveryMs + 1_000;
    out.push({ offset: String(i), key: Buffer.from(key), value, timestamp: String(logMs) });
  }
  return out;
}

/** Feeds readings [from, to) in batches; returns wall and CPU time spent in the core only. */
function feed(processor: PartitionProcessor, workload: Workload, from: number, to: number) {
  let wallMs = 0;
  let cpuUs = 0;
  let windows = 0;
  for (let i = from; i < to; i += BATCH) {
    const batch = messages(workload, i, Math.min(to, i + BATCH));
    const t = performance.now();
    const cpu = process.cpuUsage();
    windows += processor.processBatch(batch).windows.length;
    const used = process.cpuUsage(cpu);
    wallMs += performance.now() - t;
    cpuUs += used.user + used.system;
  }
  return { wallMs, cpuUs, windows };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const rows: string[] = [];

const throughputWorkload: Workload = {
  partitions: 1,
  instrumentsPerPartition: THROUGHPUT_INSTRUMENTS,
  readingEveryMs: 1_000,
};

/**
 * The whole load through both configurations, not measured, then each measured twice in
 * the order on, off, off, on, and summed. Whichever case ran first otherwise paid for the JIT
 * and the heap growing: run first, alarms on measured 4.6 to 8.0 µs of CPU a reading and off
 * 2.7 to 3.0 after it; run first, off measured 3.3 to 3.6 and on 3.9 after it (a tenth of the
 * load as warm-up was not enough: the first measured run still took 6.0 µs, the last 4.0).
 */
function benchThroughput(): void {
  for (const alarms of [true, false])
    feed(PartitionProcessor.fresh(optionsOf(alarms)), throughputWorkload, 0, THROUGHPUT_READINGS);
  const totals = new Map<boolean, { wallMs: number; cpuUs: number; windows: number }>();
  for (const alarms of [true, false, false, true]) {
    settledMemory(); // the previous run's state collected now, not in this run
    const run = feed(
      PartitionProcessor.fresh(optionsOf(alarms)),
      throughputWorkload,
      0,
      THROUGHPUT_READINGS,
    );
    const total = totals.get(alarms) ?? { wallMs: 0, cpuUs: 0, windows: 0 };
    totals.set(alarms, {
      wallMs: total.wallMs + run.wallMs,
      cpuUs: total.cpuUs + run.cpuUs,
      windows: run.windows,
    });
  }
  for (const [alarms, { wallMs, cpuUs, windows }] of [...totals].sort(
    ([a], [b]) => Number(b) - Number(a),
  )) {
    const readings = 2 * THROUGHPUT_READINGS;
    rows.push(
      `| core, ${fmt(THROUGHPUT_INSTRUMENTS)} instruments, alarms ${alarms ? 'on' : 'off'} | ` +
        `${fmt(readings / (wallMs / 1000))} readings/s (wall), ` +
        `${fmt(readings / (cpuUs / 1e6))} (CPU), ${fmt((1000 * cpuUs) / readings)} ns CPU a reading, ` +
        `${fmt(windows)} windows a run |`,
    );
  }
}

/** The JSON bytes one checkpoint writes (header and instrument rows), and its row count. */
function checkpointBytes(processor: PartitionProcessor): { bytes: number; rows: number } {
  const write = processor.checkpoint();
  let bytes = JSON.stringify(write.header).length;
  for (const row of write.upserts) bytes += row.key.length + JSON.stringify(row.state).length;
  for (const key of write.deletes) bytes += key.length;
  return { bytes, rows: write.upserts.length + write.deletes.length };
}

function settledMemory(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage();
}

/**
 * One partition holding `instruments` instruments, each with 5 s of readings in an open
 * window (alarms on): memory, then checkpoints with all and with a tenth of them changing, then
 * a restore from every row.
 */
function benchHeldInstruments(instruments: number): StoredPartitionCheckpoint {
  const before = settledMemory();
  const workload: Workload = {
    partitions: 1,
    instrumentsPerPartition: instruments,
    readingEveryMs: 1_000,
  };
  const processor = PartitionProcessor.fresh(optionsOf(MEMORY_ALARMS));
  // 15 s of readings: the first window closed, the second open with 5 readings each.
  feed(processor, workload, 0, 15 * instruments);
  const held = settledMemory();
  rows.push(
    `| memory, ${fmt(instruments)} instruments held (open windows, clocks, alarm states) | ` +
      `heap ${mb(held.heapUsed)} MB (${fmt((held.heapUsed - before.heapUsed) / instruments)} B an instrument), ` +
      `V8 heap total ${mb(held.heapTotal)} MB, RSS ${mb(held.rss)} MB (peak ${mb(process.resourceUsage().maxRSS * 1024)} MB) |`,
  );
  const full = processor.checkpoint();

  // Every instrument reads once more: every row changes.
  feed(processor, workload, 15 * instruments, 16 * instruments);
  const all = checkpointBytes(processor);
  // A tenth of them read: a tenth of the rows.
  const tenth: RawMessage[] = messages(workload, 16 * instruments, 17 * instruments).filter(
    (_, i) => i % 10 === 0,
  );
  processor.processBatch(tenth);
  const some = checkpointBytes(processor);
  rows.push(
    `| checkpoint, ${fmt(instruments)} held, all changed | ${fmt(all.rows)} rows, ${mb(all.bytes)} MB, ` +
      `${fmt(all.bytes / Math.max(1, all.rows))} B a row |`,
    `| checkpoint, ${fmt(instruments)} held, a tenth changed | ${fmt(some.rows)} rows, ${mb(some.bytes)} MB, ` +
      `${fmt(some.bytes / Math.max(1, some.rows))} B a row |`,
  );

  // Every row, as PostgreSQL hands them back (jsonb parsed by the driver).
  return {
    state: JSON.parse(JSON.stringify(full.header)),
    instruments: full.upserts.map((row) => ({
      key: row.key,
      state: JSON.parse(JSON.stringify(row.state)),
    })),
  };
}

/** A restart: the partition rebuilt from its rows (nothing else held, as in a new process). */
function benchRestore(stored: StoredPartitionCheckpoint): void {
  settledMemory();
  const t = performance.now();
  const restored = PartitionProcessor.restore(optionsOf(MEMORY_ALARMS), stored);
  const restoreMs = performance.now() - t;
  rows.push(
    `| restore, ${fmt(stored.instruments.length)} instrument rows (checked and rebuilt; the PostgreSQL read is in the sinks bench) | ` +
      `${fmt(restoreMs)} ms, ${fmt(restored.openWindows)} open windows |`,
  );
}

benchThroughput();
benchRestore(benchHeldInstruments(MEMORY_INSTRUMENTS));
console.log(
  `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}\n\n` +
    '| Case | Result |\n| --- | --- |\n' +
    rows.join('\n'),
);
