import {
  INSTRUMENT_TYPES,
  physicalRangeFor,
  simulationRangeFor,
} from '@geostream/instrument-schemas';
import { DAY_MS, HOUR_MS } from '../../src/simulation/math';
import { isSilent, readingsAt, sampleAt, trendAt } from '../../src/simulation/readings';
import { buildSite, type SimulatedInstrument } from '../../src/simulation/site';
import { timeFaceReaches, tunnelProgressAt } from '../../src/simulation/tunnel';
import { settings, T0 } from '../fixtures';

const quiet = { repeatRate: 0, silentRate: 0, spikeRate: 0 };

describe('readings', () => {
  const site = buildSite(settings({ instrumentsPerType: { min: 60, max: 60 } }));

  it('are a pure function of the time: the same instant gives the same readings, whatever came before', () => {
    const first = readingsAt(site, 'piezometer', T0, quiet);
    readingsAt(site, 'piezometer', T0 + 5000, quiet);
    readingsAt(site, 'strain_gauge', T0, quiet);
    expect(readingsAt(site, 'piezometer', T0, quiet)).toEqual(first);
  });

  it('change from one poll to the next (noise), and carry their own timestamps just before the request', () => {
    const a = readingsAt(site, 'strain_gauge', T0, quiet);
    const b = readingsAt(site, 'strain_gauge', T0 + 5000, quiet);
    expect(a.map((r) => r.value)).not.toEqual(b.map((r) => r.value));
    for (const r of a) {
      expect(r.timestampMs).toBeLessThanOrEqual(T0);
      expect(r.timestampMs).toBeGreaterThan(T0 - 1500);
    }
    expect(new Set(a.map((r) => r.timestampMs)).size).toBeGreaterThan(1);
  });

  it('stay within the realistic (simulation) range of their type, relative to surface level for standpipes', () => {
    for (let k = 0; k < 40; k++) {
      const now = T0 + k * 7 * HOUR_MS + k * 1234;
      for (const type of INSTRUMENT_TYPES) {
        for (const r of readingsAt(site, type, now, quiet)) {
          const range = simulationRangeFor(type, r.instrument.surfaceLevel);
          expect(r.value).toBeGreaterThanOrEqual(range.min);
          expect(r.value).toBeLessThanOrEqual(range.max);
        }
      }
    }
  });

  it('spike outside the trend now and then, but never beyond what is physically plausible', () => {
    let spikes = 0;
    for (let k = 0; k < 10; k++) {
      for (const type of INSTRUMENT_TYPES) {
        for (const r of readingsAt(site, type, T0 + k * HOUR_MS, { ...quiet, spikeRate: 0.5 })) {
          const range = physicalRangeFor(type, r.instrument.surfaceLevel);
          expect(r.value).toBeGreaterThanOrEqual(range.min);
          expect(r.value).toBeLessThanOrEqual(range.max);
          if (r.spike) spikes++;
        }
      }
    }
    expect(spikes / (10 * 5 * 60)).toBeCloseTo(0.5, 1);
  });

  it('are rounded to hundredths, like the reference API', () => {
    for (const r of readingsAt(site, 'water_standpipe', T0, quiet)) {
      expect(Math.round(r.value * 100) / 100).toBe(r.value);
    }
  });
});

describe('ground behaviour as the tunnel face passes', () => {
  const site = buildSite(settings({ instrumentsPerType: { min: 150, max: 150 } }));

  function nearest<T extends SimulatedInstrument>(list: readonly T[]): T {
    // The instrument closest to the alignment, well inside the drive.
    return list
      .filter((i) => i.chainageM > 500 && i.chainageM < site.drive.lengthM - 500)
      .reduce((best, i) => (Math.abs(i.offsetM) < Math.abs(best.offsetM) ? i : best));
  }

  it('accumulates settlement at a marker above the tunnel: near zero before, several mm to 40 mm after', () => {
    const marker = nearest(site.instruments.settlement_marker);
    const passes = timeFaceReaches(site.drive, marker.chainageM, T0);
    const before = trendAt(site, marker, passes - 2 * HOUR_MS);
    const after = trendAt(site, marker, passes + 2 * HOUR_MS);
    expect(before).toBeGreaterThan(-2.5);
    expect(after).toBeLessThan(before - 5);
    expect(after).toBeGreaterThanOrEqual(-40);
    // Settlement only accumulates while the face passes (drift aside, a fraction of a mm).
    let previous = Number.POSITIVE_INFINITY;
    for (let t = passes - HOUR_MS; t <= passes + HOUR_MS; t += 60_000) {
      const value = trendAt(site, marker, t);
      expect(value).toBeLessThan(previous + 0.05);
      previous = value;
    }
  });

  it('grows an extensometer during excavation, then holds it steady', () => {
    const extensometer = nearest(site.instruments.extensometer);
    const passes = timeFaceReaches(site.drive, extensometer.chainageM, T0);
    const before = trendAt(site, extensometer, passes - 2 * HOUR_MS);
    const after = trendAt(site, extensometer, passes + 2 * HOUR_MS);
    const later = trendAt(site, extensometer, passes + 3 * HOUR_MS);
    expect(after - before).toBeGreaterThan(3);
    expect(Math.abs(later - after)).toBeLessThan(0.2);
  });

  it('draws a piezometer down while the face is near, then lets it recover', () => {
    const piezometer = nearest(site.instruments.piezometer);
    const passes = timeFaceReaches(site.drive, piezometer.chainageM, T0);
    const during = trendAt(site, piezometer, passes);
    const before = trendAt(site, piezometer, passes - 3 * HOUR_MS);
    const after = trendAt(site, piezometer, passes + 3 * HOUR_MS);
    expect(during).toBeLessThan(Math.min(before, after) - 2);
  });

  it('moves the face steadily along the alignment and then lets the ground recover', () => {
    const start = timeFaceReaches(site.drive, 0, T0);
    expect(tunnelProgressAt(site.drive, start).faceChainageM).toBeCloseTo(0, 6);
    expect(tunnelProgressAt(site.drive, start + HOUR_MS).faceChainageM).toBeCloseTo(600, 6);
    const end = timeFaceReaches(site.drive, site.drive.lengthM + site.drive.runoutM, T0);
    expect(tunnelProgressAt(site.drive, end + site.drive.recoveryMs / 2).recovery).toBeCloseTo(
      0.5,
      2,
    );
  });
});

describe('strain gauges', () => {
  // A face that hardly moves, so only temperature and slow drift act on the struts.
  const site = buildSite(
    settings({ instrumentsPerType: { min: 100, max: 100 }, tunnelAdvanceMPerHour: 0.001 }),
  );

  it('follow a daily temperature cycle: more compressive in the warm afternoon than before dawn', () => {
    let afternoonLower = 0;
    let total = 0;
    for (let day = 0; day < 5; day++) {
      const midnight = T0 + day * DAY_MS;
      for (const gauge of site.instruments.strain_gauge) {
        const dawn = trendAt(site, gauge, midnight + 3 * HOUR_MS);
        const afternoon = trendAt(site, gauge, midnight + 15 * HOUR_MS);
        total++;
        if (afternoon < dawn - 20) afternoonLower++;
      }
    }
    expect(total).toBe(500);
    expect(afternoonLower / total).toBeGreaterThan(0.95);
  });

  it('repeat their temperature swing from one day to the next', () => {
    const [gauge] = site.instruments.strain_gauge;
    if (gauge === undefined) throw new Error('no strain gauge');
    const swing = (day: number) =>
      trendAt(site, gauge, T0 + day * DAY_MS + 3 * HOUR_MS) -
      trendAt(site, gauge, T0 + day * DAY_MS + 15 * HOUR_MS);
    expect(Math.abs(swing(0) - swing(1))).toBeLessThan(0.5 * Math.abs(swing(0)));
  });
});

describe('silences and repeats', () => {
  const site = buildSite(settings({ instrumentsPerType: { min: 100, max: 100 } }));

  it('makes instruments fall silent for spells of at least five minutes, at about the configured rate', () => {
    const silentRate = 0.3;
    let silentMinutes = 0;
    let minutes = 0;
    for (const instrument of site.instruments.piezometer) {
      let run = 0;
      const runs: number[] = [];
      for (let minute = 0; minute < 6 * 60; minute++) {
        const silent = isSilent(instrument, T0 + minute * 60_000 + 30_000, silentRate);
        minutes++;
        if (silent) {
          silentMinutes++;
          run++;
        } else if (run > 0) {
          runs.push(run);
          run = 0;
        }
      }
      for (const length of runs) expect(length).toBeGreaterThanOrEqual(4);
    }
    // 30 % of instrument-hours hold a spell of 5 to 30 minutes (17.5 on average): ~8.75 %.
    expect(silentMinutes / minutes).toBeGreaterThan(0.06);
    expect(silentMinutes / minutes).toBeLessThan(0.12);
  });

  it('leaves silent instruments out of the envelope', () => {
    const now = T0 + 17 * 60_000;
    const silent = site.instruments.piezometer.filter((i) => isSilent(i, now, 0.5));
    expect(silent.length).toBeGreaterThan(0);
    const reported = new Set(
      readingsAt(site, 'piezometer', now, { ...quiet, silentRate: 0.5 }).map(
        (r) => r.instrument.boreholeNumber,
      ),
    );
    for (const i of silent) expect(reported.has(i.boreholeNumber)).toBe(false);
    expect(reported.size).toBe(100 - silent.length);
  });

  it('sometimes reports an instrument twice, a few seconds apart, for the 10 s windows to average', () => {
    const readings = readingsAt(site, 'extensometer', T0, { ...quiet, repeatRate: 0.2 });
    const byInstrument = new Map<string, number[]>();
    for (const r of readings) {
      const times = byInstrument.get(r.instrument.boreholeNumber) ?? [];
      times.push(r.timestampMs);
      byInstrument.set(r.instrument.boreholeNumber, times);
    }
    const repeated = [...byInstrument.values()].filter((times) => times.length === 2);
    expect(repeated.length).toBeGreaterThan(8);
    expect(repeated.length).toBeLessThan(35);
    for (const [earlier = 0, later = 0] of repeated) {
      expect(later - earlier).toBeGreaterThanOrEqual(2000);
      expect(later - earlier).toBeLessThanOrEqual(7000);
    }
  });

  it('gives a repeated reading its own value, as a second measurement would', () => {
    const readings = readingsAt(site, 'strain_gauge', T0, { ...quiet, repeatRate: 1 });
    const [first, second] = readings;
    if (first === undefined || second === undefined) throw new Error('expected two readings');
    expect(first.instrument).toBe(second.instrument);
    expect(first.value).toBe(sampleAt(site, first.instrument, first.timestampMs, 0).value);
    expect(first.timestampMs).not.toBe(second.timestampMs);
  });
});
