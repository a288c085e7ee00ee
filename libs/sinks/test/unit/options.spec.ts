import { Kafka } from 'kafkajs';
import {
  SINK_ERROR_CODES,
  SinkOptionsError,
  createElasticsearchSink,
  createKafkaSink,
  createPostgresSink,
  windowIndexTemplate,
} from '../../src';

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(SinkOptionsError);
    expect((error as SinkOptionsError).code).toBe(SINK_ERROR_CODES.invalidOptions);
    return (error as SinkOptionsError).details['problems'] as string[];
  }
  throw new Error('expected the options to be refused');
}

describe('options are checked when a sink is built', () => {
  it('PostgreSQL: names every bad option at once', () => {
    const problems = problemsOf(() =>
      createPostgresSink({
        connectionString: 'mysql://x',
        schema: 'pg_x',
        poolMax: 1,
        maxRowsPerStatement: 0,
      }),
    );
    expect(problems).toHaveLength(4);
  });

  it('Elasticsearch: refuses a prefix that would be a wildcard or an invalid index name', () => {
    for (const indexPrefix of ['readings*', 'Readings', '', '_x', 'a,b'])
      expect(
        problemsOf(() => createElasticsearchSink({ node: 'http://127.0.0.1:9200', indexPrefix })),
      ).toHaveLength(1);
  });

  it('Kafka: refuses invalid and clashing topic names, and requests of no size', () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'] });
    expect(
      problemsOf(() => createKafkaSink({ kafka, topics: { alerts: 'a b', deadLetter: 'dlq' } })),
    ).toHaveLength(1);
    expect(
      problemsOf(() =>
        createKafkaSink({
          kafka,
          topics: { alerts: 'piezometer', deadLetter: 'dlq' },
          partitions: 0,
        }),
      ),
    ).toHaveLength(2);
    expect(
      problemsOf(() =>
        createKafkaSink({ kafka, topics: { alerts: 'a', deadLetter: 'dlq' }, maxRequestBytes: 0 }),
      ),
    ).toEqual(['maxRequestBytes must be >= 1']);
  });
});

describe('windowIndexTemplate', () => {
  it('matches exactly the five indices of its prefix, more specific prefixes first', () => {
    const template = windowIndexTemplate('readings_v2');
    expect(template.index_patterns).toEqual([
      'readings_v2-water_standpipe',
      'readings_v2-piezometer',
      'readings_v2-settlement_marker',
      'readings_v2-extensometer',
      'readings_v2-strain_gauge',
    ]);
    expect(template.priority).toBeGreaterThan(windowIndexTemplate('readings').priority);
    expect(template.template.mappings.dynamic).toBe('strict');
  });

  it('leaves the refresh to Elasticsearch (none while nobody searches) unless one is given', () => {
    expect(windowIndexTemplate('readings').template.settings).toEqual({ number_of_shards: 1 });
    expect(
      windowIndexTemplate('readings', { refreshInterval: '5s', numberOfReplicas: 0 }).template
        .settings,
    ).toEqual({ number_of_shards: 1, number_of_replicas: 0, refresh_interval: '5s' });
  });
});
