import path from 'node:path';
import { ConfigError } from '@geostream/platform';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { readAlarmManagerConfig } from '../../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    readAlarmManagerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('alarm-manager configuration', () => {
  it('has defaults for everything', () => {
    const config = readAlarmManagerConfig({});
    expect(config.consumerGroup).toBe('alarm-manager');
    expect(config.alertsTopic).toBe('monitoring.alerts');
    expect(config.app).toEqual({ schema: 'geostream_app', role: 'geostream_operator' });
    expect(config.alertsIndex).toBe('alerts');
    // The registry where tools/reprocess keeps it by default, asked every 10 s.
    expect(config.readSchema).toBe('geostream_read');
    expect(config.alertsTopicFollowMs).toBe(10_000);
    expect(config.http.port).toBe(9103);
    expect(config.notifications.smtpUrl).toBeUndefined();
    expect(config.notifications.retry).toEqual({
      retries: 11,
      initialDelayMs: 1_000,
      maxDelayMs: 600_000,
      factor: 2,
    });
  });

  it('names every bad variable at once', () => {
    expect(
      problems({
        SMTP_URL: 'http://mail',
        NOTIFY_TIMEOUT_MS: '30000',
        NOTIFY_LEASE_MS: '20000',
        NOTIFY_RETRY_INITIAL_MS: '5000',
        NOTIFY_RETRY_MAX_MS: '1000',
        ALERTS_INDEX: 'Alerts*',
        APP_PG_SCHEMA: 'App',
        SMTP_FROM: 'nobody',
        READ_PG_SCHEMA: 'Read-Schema',
        ALERTS_TOPIC_FOLLOW_MS: '500',
      }).sort(),
    ).toEqual(
      [
        'SMTP_URL',
        'NOTIFY_LEASE_MS',
        'NOTIFY_RETRY_MAX_MS',
        'ALERTS_INDEX',
        'APP_PG_SCHEMA',
        'SMTP_FROM',
        'READ_PG_SCHEMA',
        'ALERTS_TOPIC_FOLLOW_MS',
      ].sort(),
    );
  });

  it('takes ALERTS_TOPIC_FOLLOW_MS=0 as "never follow the registry"', () => {
    expect(readAlarmManagerConfig({ ALERTS_TOPIC_FOLLOW_MS: '0' }).alertsTopicFollowMs).toBe(0);
  });
});

describe('README', () => {
  it('names every variable readAlarmManagerConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const readmes = [path.join(repo, 'apps/alarm-manager/README.md'), path.join(repo, 'README.md')];
    expect(compareReadmeDefaults(readAlarmManagerConfig, readmes)).toEqual({
      differing: [],
      undocumented: [],
    });
  });
});
