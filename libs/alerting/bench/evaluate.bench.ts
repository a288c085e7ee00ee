// Trigger evaluation throughput on one core: `npx nx bench alerting`.
// 1,000 instruments, windows in event-time order, means drifting through the levels so that
// some windows raise or clear. Median of seven rounds. Then the rate of change (evaluateRate,
// the strain gauge default rule: both directions over 24 h) on the same windows spaced 15 min
// apart, so that rates are judged, and its checkpointed state size.
import { arch, cpus } from 'node:os';
import {
  resolveRateRule,
  windowId,
  type TriggerLevels,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import {
  evaluateRate,
  evaluateWindow,
  type InstrumentAlertState,
  type RateState,
  type WindowToEvaluate,
} from '../src';

const INSTRUMENTS = 1000;
const WINDOWS = 64;
// 15 min apart: 64 windows span 16 h, so the 24 h rate rule judges from the 49th on.
const SPACING_MS = 15 * 60_000;
const levels: TriggerLevels = {
  rising: { alert: 800, alarm: 1200, action: 1600 },
  falling: { alert: -800, alarm: -1200, action: -1600 },
};

const windows: WindowToEvaluate[][] = Array.from({ length: WINDOWS }, (_, w) =>
  Array.from({ length: INSTRUMENTS }, (_, i) => {
    const start = Date.UTC(2024, 0, 1) + w * SPACING_MS;
    const mean = 1000 * Math.sin((w + i) / 7) + ((i * 37) % 700);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      schema_version: 1,
      id: windowId('strain_gauge', `SG-${i}`, start),
      instrument: 'strain_gauge',
      borehole_number: `SG-${i}`,
      window_start: iso(start),
      window_end: iso(start + 10_000),
      reading_mean: mean,
      reading_min: mean,
      reading_max: mean,
      reading_count: 4,
      first_timestamp: iso(start),
      last_timestamp: iso(start + 9_000),
      unit: 'µε',
      surface_level: 80,
      northing: 5_815_000,
      easting: 320_000,
    };
  }),
);

function round(options: Parameters<typeof evaluateWindow>[3]): {
  perSecond: number;
  alerts: number;
} {
  const states = new Array<InstrumentAlertState | undefined>(INSTRUMENTS);
  let alerts = 0;
  const start = process.hrtime.bigint();
  for (const batch of windows) {
    batch.forEach((window, i) => {
      const result = evaluateWindow(states[i], window, levels, options);
      states[i] = result.state;
      alerts += result.alerts.length;
    });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: (WINDOWS * INSTRUMENTS) / seconds, alerts };
}

console.log(
  `node ${process.version}, ${arch()}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`,
);
for (const [name, options] of [
  ['defaults', {}],
  [
    'debounce 3 + hysteresis 50 µε',
    { raiseAfterWindows: 3, clearAfterWindows: 3, clearMargin: 50 },
  ],
] as const) {
  for (let k = 0; k < 3; k++) round(options); // warm-up
  const rounds = Array.from({ length: 7 }, () => round(options));
  const sorted = rounds.map((r) => r.perSecond).sort((a, b) => a - b);
  console.log(
    `evaluateWindow, ${name}: ${Math.round(sorted[3] ?? NaN).toLocaleString('en-US')} windows/s ` +
      `(${rounds[0]?.alerts} alerts per ${(WINDOWS * INSTRUMENTS).toLocaleString('en-US')} windows)`,
  );
}

const rateRule = resolveRateRule(undefined, 'strain_gauge', 'SG-0');
const records = windows.map((batch) =>
  batch.map((w): WindowRecord => ({ ...w, trigger_level: 'none' })),
);

function rateRound(): { perSecond: number; alerts: number; stateBytes: number } {
  const states = new Array<RateState | undefined>(INSTRUMENTS);
  let alerts = 0;
  const start = process.hrtime.bigint();
  for (const batch of records) {
    batch.forEach((window, i) => {
      const result = evaluateRate(states[i], window, rateRule);
      states[i] = result.state;
      alerts += result.alerts.length;
    });
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stateBytes = JSON.stringify(states).length / INSTRUMENTS;
  return { perSecond: (WINDOWS * INSTRUMENTS) / seconds, alerts, stateBytes };
}

for (let k = 0; k < 3; k++) rateRound(); // warm-up
const rateRounds = Array.from({ length: 7 }, () => rateRound());
const rateSorted = rateRounds.map((r) => r.perSecond).sort((a, b) => a - b);
console.log(
  `evaluateRate, strain gauge default: ${Math.round(rateSorted[3] ?? NaN).toLocaleString('en-US')} ` +
    `windows/s (${rateRounds[0]?.alerts} alerts; ~${Math.round(rateRounds[0]?.stateBytes ?? NaN)} ` +
    'bytes of JSON state per instrument)',
);
