/**
 * Throughput and memory of the windowing core, one core, no I/O.
 *
 *   npx nx bench windowed-aggregator      (node --expose-gc --import tsx ...)
 *
 * Throughput: 10 s tumbling windows (grace 5 s) over 10,000 keys, each reading once per
 * second of event time, slightly out of order within each second, in offset order in one
 * partition, as a Kafka partition would deliver them. Records are built before the clock
 * starts, so the figure is the aggregator's alone.
 * Memory: heap growth per open window (after GC), with 1 and with 10 readings per window.
 */
import { execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createWindowedAggregator, tumblingWindows, type WindowedRecord } from '../src';

interface Meta {
  readonly surfaceLevel: number;
  readonly northing: number;
  readonly easting: number;
}

const KEYS = 10_000;
const spec = tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 });
const keys = Array.from({ length: KEYS }, (_, i) => `piezometer/BH-${String(i).padStart(5, '0')}`);
const metas: Meta[] = keys.map((_, i) => ({
  surfaceLevel: 12 + (i % 50) / 10,
  northing: 5_810_000 + i,
  easting: 316_045 + i,
}));
const START_MS = Date.UTC(2025, 0, 1);

/** `count` readings from `fromIndex`: second s carries one reading per key, shuffled within it. */
function readings(fromIndex: number, count: number, duplicateEvery = 0): WindowedRecord<Meta>[] {
  const out = new Array<WindowedRecord<Meta>>(count);
  for (let n = 0; n < count; n++) {
    const i = fromIndex + n;
    const second = Math.floor(i / KEYS);
    const slot = i % KEYS;
    const k = (slot * 7_919) % KEYS; // a fixed shuffle of keys within each second
    const eventTimeMs = START_MS + second * 1_000 + ((k * 613) % 1_000);
    const duplicate = duplicateEvery > 0 && n % duplicateEvery === duplicateEvery - 1 && n > 0;
    out[n] = duplicate
      ? { ...out[n - 1]!, offset: i }
      : {
          key: keys[k]!,
          partition: 0,
          offset: i,
          eventTimeMs,
          value: 50 + ((k + second) % 100) / 7,
          meta: metas[k]!,
        };
  }
  return out;
}

const TRIALS = 5;

/**
 * Feeds `total` readings to a fresh aggregator in chunks and keeps the best of several
 * trials: the machine is shared, and the least disturbed trial is the closest to what the
 * code costs. Each chunk of records is built, then garbage is collected, then the clock runs
 * over feeding the chunk AND a full collection after it, so the aggregator's garbage is paid
 * for (pessimistically: V8 would mostly scavenge it). --single-threaded-gc keeps all of it on
 * one core; CPU time counts this process only.
 */
function throughput(
  label: string,
  total: number,
  chunk: number,
  feed: (agg: ReturnType<typeof make>, records: WindowedRecord<Meta>[]) => number,
) {
  let best = { wall: Infinity, cpu: Infinity, emitted: 0 };
  for (let trial = 0; trial < TRIALS; trial++) {
    const agg = make();
    let wall = 0;
    let cpu = 0;
    let emitted = 0;
    for (let from = 0; from < total; from += chunk) {
      let records: WindowedRecord<Meta>[] | undefined = readings(
        from,
        Math.min(chunk, total - from),
        duplicateEvery,
      );
      collectGarbage();
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      emitted += feed(agg, records);
      records = undefined;
      collectGarbage();
      wall += performance.now() - started;
      const used = process.cpuUsage(cpuStart);
      cpu += (used.user + used.system) / 1_000;
    }
    if (wall < best.wall) best = { wall, cpu: Math.min(cpu, best.cpu), emitted };
    else best.cpu = Math.min(cpu, best.cpu);
  }
  const perSecond = total / (best.wall / 1_000);
  console.log(
    `${label.padEnd(30)} ${(perSecond / 1e6).toFixed(2)} M readings/s wall, ${(total / best.cpu / 1e3).toFixed(2)} M/s CPU  (best of ${TRIALS}; ${total.toLocaleString('en')} readings, ${best.emitted.toLocaleString('en')} windows)`,
  );
  return perSecond;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
}

let duplicateEvery = 0;
const make = () => createWindowedAggregator<Meta>({ spec });

function addOneByOne(agg: ReturnType<typeof make>, records: WindowedRecord<Meta>[]): number {
  let emitted = 0;
  for (const record of records) emitted += agg.add(record).closed.length;
  return emitted;
}

function addInBatches(agg: ReturnType<typeof make>, records: WindowedRecord<Meta>[]): number {
  let emitted = 0;
  for (let i = 0; i < records.length; i += 1_000)
    emitted += agg.addBatch(records.slice(i, i + 1_000)).closed.length;
  return emitted;
}

function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

function memoryPerWindow(readingsPerWindow: number): { heap: number; snapshot: number } {
  const windowsPerKey = 10;
  // Grace larger than the data: nothing closes, every window stays open.
  const agg = createWindowedAggregator<Meta>({
    spec: tumblingWindows({ sizeMs: 10_000, graceMs: 1e9 }),
  });
  const records: WindowedRecord<Meta>[] = [];
  let offset = 0;
  for (let w = 0; w < windowsPerKey; w++)
    for (let r = 0; r < readingsPerWindow; r++)
      for (let k = 0; k < KEYS; k++)
        records.push({
          key: keys[k]!,
          partition: 0,
          offset: offset++,
          eventTimeMs: START_MS + w * 10_000 + r * 1_000,
          value: k,
          meta: metas[k]!,
        });
  const before = heapUsed();
  for (const record of records) agg.add(record);
  const after = heapUsed();
  const windows = agg.stats().total.openWindows;
  const snapshotBytes = Buffer.byteLength(JSON.stringify(agg.snapshot()));
  records.length = 0;
  return { heap: (after - before) / windows, snapshot: snapshotBytes / windows };
}

function machine(): string {
  const cpu = execSync("lscpu | grep 'Model name' | sed 's/Model name: *//'").toString().trim();
  return `${cpu}, ${execSync('nproc').toString().trim()} cores, Node ${process.version}`;
}

console.log(`windowed-aggregator benchmark on ${machine()}`);
const TOTAL = 3_000_000;
const CHUNK = 1_000_000;
throughput('warm-up (discarded)', 1_000_000, CHUNK, addOneByOne);
const single = throughput('add(), one at a time', TOTAL, CHUNK, addOneByOne);
throughput('addBatch(), 1,000 per batch', TOTAL, CHUNK, addInBatches);
duplicateEvery = 100;
throughput('add(), 1% duplicates', TOTAL, CHUNK, addOneByOne);
duplicateEvery = 0;
for (const perWindow of [1, 10]) {
  const { heap, snapshot } = memoryPerWindow(perWindow);
  console.log(
    `memory per open window, ${String(perWindow).padStart(2)} reading(s): ${heap.toFixed(0)} bytes heap, ${snapshot.toFixed(0)} bytes of JSON snapshot`,
  );
}
console.log(
  single >= 2_000_000
    ? 'goal of 2,000,000 readings/s: met'
    : 'goal of 2,000,000 readings/s: NOT met',
);
