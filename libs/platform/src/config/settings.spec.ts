import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { readConfig } from './env-reader';
import {
  alertsTopic,
  appDatabaseSettings,
  databaseSettings,
  deadLetterTopic,
  elasticsearchSettings,
  httpSettings,
  kafkaSettings,
  outputNameSettings,
  rawTopic,
  siteConfigSettings,
  topicSettings,
} from './settings';

const loadAll = (env: Record<string, string>) =>
  readConfig(env, (r) => ({
    kafka: kafkaSettings(r, 'test'),
    database: databaseSettings(r),
    elasticsearch: elasticsearchSettings(r),
    topics: topicSettings(r),
    http: httpSettings(r, 9102),
  }));

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadAll(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('shared settings', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadAll({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/monitoring');
    expect(config.elasticsearch).toEqual({ enabled: true, url: 'http://127.0.0.1:9200/' });
    expect(config.topics).toEqual({
      raw: 'monitoring',
      deadLetter: 'monitoring.dlq',
      alerts: 'monitoring.alerts',
    });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9102 });
  });

  it('reads several brokers and turns Elasticsearch off with ELASTICSEARCH_URL=off', () => {
    const config = loadAll({ KAFKA_BROKERS: 'a:9092, b:9093', ELASTICSEARCH_URL: 'off' });
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(config.elasticsearch).toEqual({ enabled: false });
  });

  it('names every bad variable in one error', () => {
    const error = configErrorOf({
      KAFKA_BROKERS: 'no-port',
      PORT: 'eighty',
      ELASTICSEARCH_URL: 'ftp://search:9200',
      DATABASE_URL: 'mysql://x/y',
      RAW_TOPIC: 'bad topic',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.problems.map((p) => p.variable).sort()).toEqual(
      ['DATABASE_URL', 'ELASTICSEARCH_URL', 'KAFKA_BROKERS', 'PORT', 'RAW_TOPIC'].sort(),
    );
    expect(error.message).toContain('PORT: must be an integer, got "eighty"');
  });

  it('requires SASL credentials when a mechanism is chosen, and never echoes the password', () => {
    const error = configErrorOf({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(error.problems.map((p) => p.variable)).toEqual(['KAFKA_SASL_USERNAME']);
    expect(error.message).not.toContain('s3cret');
  });

  it('hides a password in a bad DATABASE_URL', () => {
    const error = configErrorOf({ DATABASE_URL: 'postgres://u:hunter2@host:notaport/db' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('topics, one variable each', () => {
  const topicProblems = (env: Record<string, string>, read: Parameters<typeof readConfig>[1]) => {
    try {
      readConfig(env, read);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
      throw error;
    }
    return [];
  };
  const allBad = { RAW_TOPIC: 'bad topic', DLQ_TOPIC: 'bad topic', ALERTS_TOPIC: 'bad topic' };

  it('has the same defaults alone as in topicSettings', () => {
    expect(readConfig({}, rawTopic)).toBe('monitoring');
    expect(readConfig({}, deadLetterTopic)).toBe('monitoring.dlq');
    expect(readConfig({}, alertsTopic)).toBe('monitoring.alerts');
    expect(readConfig({ RAW_TOPIC: 'a.b_c-1' }, rawTopic)).toBe('a.b_c-1');
  });

  it('reads only its own variable, so a bad one an app does not use cannot stop it', () => {
    expect(readConfig({ DLQ_TOPIC: 'bad topic', ALERTS_TOPIC: 'bad topic' }, rawTopic)).toBe(
      'monitoring',
    );
    expect(readConfig({ RAW_TOPIC: 'bad topic', DLQ_TOPIC: 'bad topic' }, alertsTopic)).toBe(
      'monitoring.alerts',
    );
    expect(topicProblems(allBad, rawTopic)).toEqual(['RAW_TOPIC']);
    expect(topicProblems(allBad, deadLetterTopic)).toEqual(['DLQ_TOPIC']);
    expect(topicProblems(allBad, alertsTopic)).toEqual(['ALERTS_TOPIC']);
    expect(topicProblems(allBad, topicSettings)).toEqual([
      'RAW_TOPIC',
      'DLQ_TOPIC',
      'ALERTS_TOPIC',
    ]);
  });
});

describe('settings the stream-processor and the dashboard must agree on', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      readConfig(env, (r) => ({ outputs: outputNameSettings(r), site: siteConfigSettings(r) }));
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('defaults to the public schema and unprefixed per-type topics', () => {
    expect(readConfig({}, outputNameSettings)).toEqual({
      postgresSchema: 'public',
      postgresReadRole: 'geostream_reader',
      postgresDrawingsRole: 'geostream_drawings_writer',
      topicPrefix: '',
      topicSuffix: '',
    });
    expect(
      readConfig({ PG_SCHEMA: 'geostream_v2', OUTPUT_TOPIC_SUFFIX: '.v2' }, outputNameSettings),
    ).toEqual({
      postgresSchema: 'geostream_v2',
      postgresReadRole: 'geostream_reader',
      postgresDrawingsRole: 'geostream_drawings_writer',
      topicPrefix: '',
      topicSuffix: '.v2',
    });
  });

  it('names a schema, role or topic affix that could not be a name', () => {
    expect(
      problemsOf({
        PG_SCHEMA: 'Geo-Stream',
        PG_READ_ROLE: 'x; drop',
        PG_DRAWINGS_ROLE: 'Drawings',
        OUTPUT_TOPIC_PREFIX: 'a b',
      }).map((p) => p.variable),
    ).toEqual(['PG_SCHEMA', 'PG_READ_ROLE', 'PG_DRAWINGS_ROLE', 'OUTPUT_TOPIC_PREFIX']);
  });

  it('refuses a drawings role that is the read role (the read role must write nothing)', () => {
    expect(
      problemsOf({ PG_READ_ROLE: 'site_reader', PG_DRAWINGS_ROLE: 'site_reader' }).map(
        (p) => `${p.variable}: ${p.message}`,
      ),
    ).toEqual(['PG_DRAWINGS_ROLE: must differ from PG_READ_ROLE (the read role writes nothing)']);
  });

  describe('SITE_CONFIG_FILE', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'site-config-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const fileWith = (name: string, text: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    };

    it('is optional: no file, the library defaults', () => {
      expect(readConfig({}, siteConfigSettings)).toEqual({ file: undefined, config: undefined });
    });

    it('reads and validates the file', () => {
      const file = fileWith(
        'good.json',
        JSON.stringify({
          version: 1,
          site: 'Test site',
          defaults: { piezometer: { rising: { alert: 100, alarm: 150, action: 200 } } },
        }),
      );
      const { config } = readConfig({ SITE_CONFIG_FILE: file }, siteConfigSettings);
      expect(config?.defaults?.piezometer?.rising).toEqual({ alert: 100, alarm: 150, action: 200 });
    });

    it.each([
      ['a missing file', () => path.join(dir, 'missing.json'), /cannot read .* as JSON/],
      ['bad JSON', () => fileWith('bad.json', '{"version": 1,'), /cannot read .* as JSON/],
      [
        'an invalid configuration, naming the path',
        () =>
          fileWith(
            'invalid.json',
            JSON.stringify({
              version: 1,
              defaults: { piezometer: { rising: { alert: 300, alarm: 150, action: 200 } } },
            }),
          ),
        /not a valid site configuration: defaults\.piezometer/,
      ],
      [
        'a malformed alarm rule, naming the rule',
        () =>
          fileWith(
            'bad-rule.json',
            JSON.stringify({
              version: 1,
              rate_of_change_defaults: {
                settlement_marker: { direction: 'falling', over: '24 h', unit: 'mm/day', alarm: 2 },
              },
            }),
          ),
        /rate_of_change_defaults\.settlement_marker\.over/,
      ],
    ])('is a problem of SITE_CONFIG_FILE for %s', (_what, file, message) => {
      const problems = problemsOf({ SITE_CONFIG_FILE: file() });
      expect(problems.map((p) => p.variable)).toEqual(['SITE_CONFIG_FILE']);
      expect(problems[0]?.message).toMatch(message);
    });
  });
});

describe('APP_PG_SCHEMA and APP_PG_ROLE (operational data, never versioned)', () => {
  it('defaults to geostream_app and geostream_operator', () => {
    expect(readConfig({}, appDatabaseSettings)).toEqual({
      schema: 'geostream_app',
      role: 'geostream_operator',
    });
  });

  it('names each variable that is not a plain identifier', () => {
    expect(() =>
      readConfig({ APP_PG_SCHEMA: 'App-Data', APP_PG_ROLE: 'x;drop' }, appDatabaseSettings),
    ).toThrow(/APP_PG_SCHEMA: must be a lower-case PostgreSQL identifier[\s\S]*APP_PG_ROLE/);
  });
});
