import path from 'node:path';
import { compareReadmeDefaults } from '@geostream/platform/testing';
import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { ConfigError } from '@geostream/platform';
import { readProducerConfig } from '../../src/config';

function problems(env: Record<string, string>): string[] {
  try {
    readProducerConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable).sort();
    throw error;
  }
}

describe('readProducerConfig', () => {
  it('has working defaults: every type polled every 5 s into a 6-partition raw topic', () => {
    const config = readProducerConfig({});
    expect(config.api.url.href).toBe('http://127.0.0.1:3000/');
    expect(config.api.targets).toEqual([...INSTRUMENT_TYPES]);
    expect(config.api.intervalMs).toBe(5_000);
    expect(config.api.timeoutMs).toBe(4_000);
    expect(config.topic).toMatchObject({ name: 'monitoring', partitions: 6 });
    expect(config.delivery).toMatchObject({
      transactionalId: 'geostream-producer',
      producerId: 'geostream-producer',
      maxBuffered: 100_000,
      resumeBuffered: 50_000,
    });
    expect(config.http.port).toBe(9101);
  });

  it('polls /params/all with POLL_TYPES=all, or the listed types', () => {
    expect(readProducerConfig({ POLL_TYPES: 'all' }).api.targets).toEqual(['all']);
    expect(readProducerConfig({ POLL_TYPES: 'piezometer, strain_gauge' }).api.targets).toEqual([
      'piezometer',
      'strain_gauge',
    ]);
  });

  it('fails at start naming every bad variable', () => {
    expect(
      problems({
        POLL_TYPES: 'piezometer,inclinometer',
        POLL_INTERVAL_MS: 'soon',
        RAW_TOPIC_PARTITIONS: '0',
        MOCK_API_URL: 'ftp://x',
        PRODUCER_TRANSACTIONAL_ID: 'has space',
        KAFKA_BROKERS: 'nohostport',
      }),
    ).toEqual([
      'KAFKA_BROKERS',
      'MOCK_API_URL',
      'POLL_INTERVAL_MS',
      'POLL_TYPES',
      'PRODUCER_TRANSACTIONAL_ID',
      'RAW_TOPIC_PARTITIONS',
    ]);
  });

  it('refuses a replication factor of 0 (the broker would refuse the topic for ever)', () => {
    expect(problems({ RAW_TOPIC_REPLICATION_FACTOR: '0' })).toEqual([
      'RAW_TOPIC_REPLICATION_FACTOR',
    ]);
    expect(readProducerConfig({}).topic.replicationFactor).toBe(-1);
    expect(readProducerConfig({ RAW_TOPIC_REPLICATION_FACTOR: '-1' }).topic.replicationFactor).toBe(
      -1,
    );
    expect(readProducerConfig({ RAW_TOPIC_REPLICATION_FACTOR: '3' }).topic.replicationFactor).toBe(
      3,
    );
  });

  it('reads only RAW_TOPIC of the topics: a bad topic it does not use cannot stop it', () => {
    const config = readProducerConfig({ ALERTS_TOPIC: 'bad topic', DLQ_TOPIC: 'bad topic' });
    expect(config.topic.name).toBe('monitoring');
    expect(problems({ RAW_TOPIC: 'bad topic', ALERTS_TOPIC: 'bad topic' })).toEqual(['RAW_TOPIC']);
  });

  it('needs the resume mark below the buffer bound', () => {
    expect(problems({ PRODUCER_MAX_BUFFERED: '100', PRODUCER_RESUME_BUFFERED: '100' })).toEqual([
      'PRODUCER_RESUME_BUFFERED',
    ]);
  });
});

describe('README', () => {
  it('names every variable readProducerConfig reads, with the defaults it has', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const readmes = [path.join(repo, 'apps/producer/README.md'), path.join(repo, 'README.md')];
    expect(compareReadmeDefaults(readProducerConfig, readmes)).toEqual({
      differing: [],
      undocumented: [],
    });
  });
});
