import path from 'node:path';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { ConfigError } from '@geostream/platform';
import { perTypeTopicNamer } from '@geostream/sinks';
import { readDashboardConfig } from '../../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    readDashboardConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable).sort();
    throw error;
  }
}

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

  it("reads the read schema of a reprocessing set-up when given, else the processor's schema", () => {
    expect(readDashboardConfig({ PG_SCHEMA: 'site_a' }).pgSchema).toBe('site_a');
    expect(
      readDashboardConfig({ PG_SCHEMA: 'site_a', READ_PG_SCHEMA: 'geostream_read' }).pgSchema,
    ).toBe('geostream_read');
    expect(problems({ READ_PG_SCHEMA: 'Read-Schema' })).toEqual(['READ_PG_SCHEMA']);
  });

  it('names per-type topics with the prefix and suffix', () => {
    const config = readDashboardConfig({ OUTPUT_TOPIC_PREFIX: 't1.', OUTPUT_TOPIC_SUFFIX: '.v2' });
    expect(config.topics.windows.strain_gauge).toBe('t1.strain_gauge.v2');
  });

  it('reads per-type topics by the rule the stream-processor writes them by', () => {
    const config = readDashboardConfig({ OUTPUT_TOPIC_PREFIX: 't1.', OUTPUT_TOPIC_SUFFIX: '.v2' });
    const written = perTypeTopicNamer({ prefix: 't1.', suffix: '.v2' });
    for (const type of INSTRUMENT_TYPES) expect(config.topics.windows[type]).toBe(written(type));
  });

  it('reads ALERTS_TOPIC and RAW_TOPIC (level changes) of the topics: a bad topic it does not use cannot stop it', () => {
    const config = readDashboardConfig({ DLQ_TOPIC: 'bad topic' });
    expect(config.topics.alerts).toBe('monitoring.alerts');
    expect(config.rawTopic).toBe('monitoring');
    expect(
      problems({ RAW_TOPIC: 'bad topic', ALERTS_TOPIC: 'bad topic', DLQ_TOPIC: 'bad topic' }),
    ).toEqual(['ALERTS_TOPIC', 'RAW_TOPIC']);
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

describe('README', () => {
  it('names every variable readDashboardConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const readmes = [
      path.join(repo, 'apps/batch-dashboard/README.md'),
      path.join(repo, 'README.md'),
    ];
    expect(compareReadmeDefaults(readDashboardConfig, readmes)).toEqual({
      differing: [],
      undocumented: [],
    });
  });
});
