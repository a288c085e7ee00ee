// Validation throughput on one core: `npx nx bench instrument-schemas`.
// Cases run round-robin (so background load hits them all alike), each round for a fixed
// time after a warm-up; the figure is the median round in readings per second. Inputs are
// pre-built so the figures measure validation, not generation.
import { arch, cpus } from 'node:os';
import { decodeRawMessage, validateEnvelope, validateReading } from '../src';

const TYPES = [
  'water_standpipe',
  'piezometer',
  'settlement_marker',
  'extensometer',
  'strain_gauge',
];
const SAMPLES = 4096; // a power of two: `i & MASK` picks a sample
const MASK = SAMPLES - 1;
const ENVELOPE_SIZE = 100;
const ENVELOPES = 64;

function sampleReading(i: number) {
  const instrument = TYPES[i % TYPES.length];
  const surface = 70 + (i % 20);
  return {
    borehole_number: `BH-${1000 + (i % 9000)}`,
    instrument,
    surface_level: surface,
    northing: 5_810_000 + (i % 6000),
    easting: 316_045 + (i % 8955),
    reading: instrument === 'water_standpipe' ? surface - 3 - (i % 7) / 10 : (i % 100) + 0.25,
    timestamp: new Date(Date.UTC(2022, 4, 2) + i * 1234).toISOString(),
  };
}

const encoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });
const objects = Array.from({ length: SAMPLES }, (_, i) => sampleReading(i));
const offsetObjects = objects.map((o) => ({ ...o, timestamp: o.timestamp.replace('Z', '+00:00') }));
const readingBytes = objects.map((o) => encoder.encode(JSON.stringify(o)));
const envelopes = Array.from({ length: ENVELOPES }, (_, e) => ({
  instruments: ENVELOPE_SIZE,
  units: 'water level (m)',
  timezone: 'UTC',
  items: objects.slice(e * ENVELOPE_SIZE, (e + 1) * ENVELOPE_SIZE),
}));
const envelopeBytes = envelopes.map((e) => encoder.encode(JSON.stringify(e)));

interface Case {
  readonly name: string;
  readonly readingsPerCall: number;
  readonly run: (i: number) => unknown;
}

const cases: Case[] = [
  {
    name: 'validateReading, parsed object, ...Z timestamp',
    readingsPerCall: 1,
    run: (i) => validateReading(objects[i & MASK]),
  },
  {
    name: 'validateReading, parsed object, ...+00:00',
    readingsPerCall: 1,
    run: (i) => validateReading(offsetObjects[i & MASK]),
  },
  {
    name: 'decodeRawMessage, bytes of one reading',
    readingsPerCall: 1,
    run: (i) => decodeRawMessage(readingBytes[i & MASK] as Uint8Array),
  },
  {
    name: '  baseline: UTF-8 decode + JSON.parse only',
    readingsPerCall: 1,
    run: (i) => JSON.parse(textDecoder.decode(readingBytes[i & MASK])),
  },
  {
    name: 'validateEnvelope, parsed, 100 items',
    readingsPerCall: ENVELOPE_SIZE,
    run: (i) => validateEnvelope(envelopes[i % ENVELOPES]),
  },
  {
    name: 'decodeRawMessage, bytes of a 100-item envelope',
    readingsPerCall: ENVELOPE_SIZE,
    run: (i) => decodeRawMessage(envelopeBytes[i % ENVELOPES] as Uint8Array),
  },
  {
    name: '  baseline: UTF-8 decode + JSON.parse only',
    readingsPerCall: ENVELOPE_SIZE,
    run: (i) => JSON.parse(textDecoder.decode(envelopeBytes[i % ENVELOPES])),
  },
];

let sink = 0; // results stay observable so the JIT cannot drop the work

function round(c: Case, ms: number): number {
  const batch = Math.max(1, Math.round(2000 / c.readingsPerCall));
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < batch; k++) if (c.run(calls + k) !== undefined) sink++;
    calls += batch;
    now = process.hrtime.bigint();
  }
  return (calls * c.readingsPerCall) / (Number(now - start) / 1e9);
}

const ROUNDS = 7;
const results = cases.map(() => [] as number[]);
for (const c of cases) round(c, 300); // warm-up
for (let r = 0; r < ROUNDS; r++) cases.forEach((c, k) => results[k]?.push(round(c, 300)));

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `node ${process.version}, ${arch()}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`,
);
cases.forEach((c, k) => {
  const sorted = (results[k] ?? []).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const best = sorted[sorted.length - 1] ?? NaN;
  console.log(
    `${c.name.padEnd(50)} ${fmt(median).padStart(11)} readings/s median ` +
      `(${(1e9 / median).toFixed(0)} ns/reading; best round ${fmt(best)})`,
  );
});
if (sink < 0) console.log(sink);
