import { ConfigError } from '@geostream/platform';
import { readDashboardConfig } from '../../src/config';

describe('dashboard config', () => {
  it('has working defaults', () => {
    const config = readDashboardConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(config.pgSchema).toBe('public');
    expect(config.topics.windows.piezometer).toBe('piezometer');
    expect(config.topics.alerts).toBe('monitoring.alerts');
    expect(config.accessToken).toBeUndefined();
    expect(config.staleness.multiplier).toBe(3);
  });

  it('names per-type topics with the prefix and suffix', () => {
    const config = readDashboardConfig({ OUTPUT_TOPIC_PREFIX: 't1.', OUTPUT_TOPIC_SUFFIX: '.v2' });
    expect(config.topics.windows.strain_gauge).toBe('t1.strain_gauge.v2');
  });

  it('names every bad variable', () => {
    try {
      readDashboardConfig({
        PG_SCHEMA: 'Bad-Name',
        DASHBOARD_TOKEN: 'short',
        STALE_MULTIPLIER: '-1',
        SITE_CONFIG_FILE: '/nonexistent.json',
      });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(
        ['DASHBOARD_TOKEN', 'PG_SCHEMA', 'SITE_CONFIG_FILE', 'STALE_MULTIPLIER'].sort(),
      );
    }
  });
});
