import type { SimulationSettings } from '../src/simulation/simulator';

/** A small, quiet site: no repeats, silences or spikes unless a test asks for them. */
export function settings(overrides: Partial<SimulationSettings> = {}): SimulationSettings {
  return {
    seed: 42,
    instrumentsPerType: { min: 20, max: 30 },
    tunnelAdvanceMPerHour: 600,
    repeatRate: 0,
    silentRate: 0,
    spikeRate: 0,
    scanIntervalMs: 5_000,
    historyMs: 3_600_000,
    ...overrides,
  };
}

/** 2024-03-01T00:00:00Z: tests use fixed instants, never the wall clock. */
export const T0 = Date.UTC(2024, 2, 1);
