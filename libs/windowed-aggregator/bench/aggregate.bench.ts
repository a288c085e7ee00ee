/**
 * Throughput and memory of the windowing core: one core, no I/O.
 *
 *   npx nx bench windowed-aggregator
 *
 * The target bundles this file with esbuild, exactly as tools/build/build-app.mjs bundles the
 * apps that use the lib, and runs it with node --expose-gc --single-threaded-gc.
 *
 * Throughput: 10 s tumbling windows (grace 5 s) over 10,000 keys, each reading once per
 * second of event time, shuffled within each second, in offset order in one partition, as a
 * Kafka partition delivers them, each with a log time (the Kafka timestamp) up to a second later. One aggregator is warmed up, then the same stream goes on in
 * timed slices, so every slice is steady state: windows opening and closing for every key.
 * Each record is built just before it is added, as a consumer would; building alone is timed
 * too and subtracted. GC runs on the same thread (--single-threaded-gc), so its cost is in
 * the figures. The machine is shared, so the best slice (the least disturbed) estimates what
 * the code costs, and the median shows what the current load leaves of it.
 *
 * Memory: heap growth per open window after a full GC, with 1 and with 10 readings per window
 * (duplicate detection keeps each reading's event time while its window is open).
 */
/* eslint-disable @typescript-eslint/no-non-null-assertion -- synthetic data indexed in range */
import { execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import {
  createWindowedAggregator,
  tumblingWindows,
  type WindowedAggregator,
  type WindowedRecord,
} from '../src';

interface Meta {
  readonly surfaceLevel: number;
  readonly northing: number;
  readonly easting: number;
}

const KEYS = 10_000;
/** Readings fed before timing starts: 20 s of event time, so every key has open windows. */
const WARM_UP = 200_000;
/** Readings per timed slice: 20 s of event time, two window closes per key. */
const SLICE = 200_000;
const SLICES = 30;
const spec = tumblingWindows({ sizeMs: 10_000, graceMs: 5_000 });
const keys = Array.from({ length: KEYS }, (_, i) => `piezometer/BH-${String(i).padStart(5, '0')}`);
const metas: Meta[] = keys.map((_, i) => ({
  surfaceLevel: 12 + (i % 50) / 10,
  northing: 5_810_000 + i,
  easting: 316_045 + i,
}));
const START_MS = Date.UTC(2025, 0, 1);

/** Reading i: second i / KEYS carries one reading per key, keys shuffled within the second. */
function readingAt(i: number, duplicateEvery: number): WindowedRecord<Meta> {
  // Every duplicateEvery-th record re-delivers the previous reading under a new offset.
  const n = duplicateEvery > 0 && i % duplicateEvery === duplicateEvery - 1 ? i - 1 : i;
  const second = Math.floor(n / KEYS);
  const k = ((n % KEYS) * 7_919) % KEYS;
  return {
    key: keys[k]!,
    partition: 0,
    offset: i,
    eventTimeMs: START_MS + second * 1_000 + ((k * 613) % 1_000),
    value: 50 + ((k + second) % 100) / 7,
    meta: metas[k]!,
    // In the log within the second after it was read, as a polling producer writes it.
    logTimeMs: START_MS + (second + 1) * 1_000,
  };
}

/** Feeds readings [from, to) and returns how many windows they closed. */
type Feed = (
  agg: WindowedAggregator<Meta>,
  from: number,
  to: number,
  duplicateEvery: number,
) => number;

const addOneByOne: Feed = (agg, from, to, duplicateEvery) => {
  let emitted = 0;
  for (let i = from; i < to; i++) emitted += agg.add(readingAt(i, duplicateEvery)).closed.length;
  return emitted;
};

const addInBatches: Feed = (agg, from, to, duplicateEvery) => {
  let emitted = 0;
  for (let start = from; start < to; start += 1_000) {
    const batch: WindowedRecord<Meta>[] = [];
    for (let i = start; i < Math.min(start + 1_000, to); i++)
      batch.push(readingAt(i, duplicateEvery));
    emitted += agg.addBatch(batch).closed.length;
  }
  return emitted;
};

/** Builds the records only; they escape into a ring so the JIT cannot skip building them. */
const ring: WindowedRecord<Meta>[] = new Array(1_024);
const buildOnly: Feed = (_, from, to, duplicateEvery) => {
  for (let i = from; i < to; i++) ring[i & 1_023] = readingAt(i, duplicateEvery);
  return 0;
};

interface Slice {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * Warms one aggregator up, then times SLICES consecutive slices of the same stream, so every
 * slice runs in steady state (windows opening and closing for all keys).
 */
function slices(feed: Feed, duplicateEvery = 0): { slices: Slice[]; emitted: number } {
  const agg = createWindowedAggregator<Meta>({ spec });
  feed(agg, 0, WARM_UP, duplicateEvery);
  const timed: Slice[] = [];
  let emitted = 0;
  for (let s = 0; s < SLICES; s++) {
    const from = WARM_UP + s * SLICE;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    emitted += feed(agg, from, from + SLICE, duplicateEvery);
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    timed.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1_000 });
  }
  return { slices: timed, emitted };
}

const perSecond = (ms: number) => ((SLICE / ms) * 1_000) / 1e6;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

/** Prints best and median slice rates, net of building records; returns the best CPU rate. */
function report(
  label: string,
  run: ReturnType<typeof slices>,
  build: ReturnType<typeof slices>,
): number {
  const buildWall = Math.min(...build.slices.map((s) => s.wallMs));
  const buildCpu = Math.min(...build.slices.map((s) => s.cpuMs));
  const wall = run.slices.map((s) => s.wallMs - buildWall);
  const cpu = run.slices.map((s) => s.cpuMs - buildCpu);
  const best = perSecond(Math.min(...cpu));
  console.log(
    `${label.padEnd(28)} best ${best.toFixed(2)} M readings/s per CPU second ` +
      `(${perSecond(Math.min(...wall)).toFixed(2)} wall); median ${perSecond(median(cpu)).toFixed(2)} CPU, ` +
      `${perSecond(median(wall)).toFixed(2)} wall  [${run.emitted.toLocaleString('en')} windows]`,
  );
  return best * 1e6;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

function memoryPerWindow(readingsPerWindow: number): { heap: number; snapshot: number } {
  const windowsPerKey = 10;
  // Grace beyond the data: nothing closes, every window stays open.
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
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (const record of records) agg.add(record);
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  const windows = agg.stats().total.openWindows;
  const snapshotBytes = Buffer.byteLength(JSON.stringify(agg.snapshot()));
  // Keeps the records alive through both measurements: V8 frees locals no longer used.
  if (records.length !== windows * readingsPerWindow) throw new Error('unexpected window count');
  return { heap: (after - before) / windows, snapshot: snapshotBytes / windows };
}

function machine(): string {
  const cpu = execSync("lscpu | grep 'Model name' | sed 's/Model name: *//'").toString().trim();
  const cores = execSync('nproc').toString().trim();
  const load = execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');
  return `${cpu}, ${cores} cores, Node ${process.version}; load average ${load}`;
}

console.log(`windowed-aggregator benchmark on ${machine()}`);
console.log(
  `10 s tumbling windows, grace 5 s, ${KEYS.toLocaleString('en')} keys; ${SLICES} slices of ` +
    `${SLICE.toLocaleString('en')} readings after ${WARM_UP.toLocaleString('en')} to warm up`,
);
slices(addOneByOne); // lets the JIT settle before anything is reported
const build = slices(buildOnly);
const buildWithDuplicates = slices(buildOnly, 100);
const single = report('add(), one at a time', slices(addOneByOne), build);
report('addBatch(), 1,000 per batch', slices(addInBatches), build);
report('add(), 1% duplicates', slices(addOneByOne, 100), buildWithDuplicates);
for (const perWindow of [1, 10]) {
  const { heap, snapshot } = memoryPerWindow(perWindow);
  console.log(
    `memory per open window, ${String(perWindow).padStart(2)} reading(s): ` +
      `${heap.toFixed(0)} bytes of heap, ${snapshot.toFixed(0)} bytes of JSON snapshot`,
  );
}
console.log(
  `goal of 2,000,000 readings/s per core: ${single >= 2_000_000 ? 'met' : 'NOT met'} (best slice)`,
);
