import path from 'node:path';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { ConfigError } from '@geostream/platform';
import { readMockApiConfig } from '../../src/config';

function problemVariables(env: Record<string, string>): string[] {
  try {
    readMockApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('readMockApiConfig', () => {
  it('defaults to the reference site on port 3000 with no faults', () => {
    const config = readMockApiConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.simulation.instrumentsPerType).toEqual({ min: 50, max: 149 });
    expect(config.simulation.seed).toBe(1);
    expect(Object.entries(config.faults).filter(([k, v]) => k !== 'slowMs' && v !== 0)).toEqual([]);
  });

  it('reads a fixed count per type, a seed and fractional rates', () => {
    const config = readMockApiConfig({
      SIM_SEED: '7',
      SIM_INSTRUMENTS_PER_TYPE: '1000',
      FAULT_NULL_RATE: '0.05',
      FAULT_HTTP_500_RATE: '.1',
      FAULT_SLOW_MS: '250',
    });
    expect(config.simulation.seed).toBe(7);
    expect(config.simulation.instrumentsPerType).toEqual({ min: 1000, max: 1000 });
    expect(config.faults.nullField).toBe(0.05);
    expect(config.faults.http500).toBe(0.1);
    expect(config.faults.slowMs).toBe(250);
  });

  it('fails at start naming every bad variable', () => {
    expect(
      problemVariables({
        SIM_SEED: 'abc',
        FAULT_DUPLICATE_RATE: '1.5',
        FAULT_SLOW_RATE: 'often',
        PORT: '70000',
        SIM_TUNNEL_ADVANCE_M_PER_HOUR: '-3',
      }).sort(),
    ).toEqual([
      'FAULT_DUPLICATE_RATE',
      'FAULT_SLOW_RATE',
      'PORT',
      'SIM_SEED',
      'SIM_TUNNEL_ADVANCE_M_PER_HOUR',
    ]);
  });

  it('rejects a minimum count above the maximum', () => {
    expect(problemVariables({ SIM_INSTRUMENTS_MIN: '200', SIM_INSTRUMENTS_MAX: '100' })).toEqual([
      'SIM_INSTRUMENTS_MAX',
    ]);
  });

  it('rejects item fault rates that cannot all happen (sum above 1)', () => {
    expect(problemVariables({ FAULT_NULL_RATE: '0.6', FAULT_EMPTY_RATE: '0.6' })).toEqual([
      'FAULT_NULL_RATE',
    ]);
    expect(problemVariables({ FAULT_HTTP_500_RATE: '0.6', FAULT_GARBAGE_RATE: '0.6' })).toEqual([
      'FAULT_HTTP_500_RATE',
    ]);
  });
});

describe('README', () => {
  it('names every variable readMockApiConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const readmes = [path.join(repo, 'apps/mock-api/README.md'), path.join(repo, 'README.md')];
    expect(compareReadmeDefaults(readMockApiConfig, readmes)).toEqual({
      differing: [],
      undocumented: [],
    });
  });
});
