import path from 'node:path';
import {
  databaseSettings,
  elasticsearchSettings,
  kafkaSettings,
  outputNameSettings,
  rawTopic,
  readConfig,
  readSchema,
  alertsTopic,
  deadLetterTopic,
  type DatabaseSettings,
  type ElasticsearchSettings,
  type Environment,
  type KafkaSettings,
} from '@geostream/platform';
import type { BaseNames } from './names';

/** What the reprocess tool reads from its environment, once. */
export interface ReprocessConfig {
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly elasticsearch: ElasticsearchSettings;
  readonly rawTopic: string;
  /** The live deployment's names, from which each version's names derive. */
  readonly base: BaseNames;
  /** READ_PG_SCHEMA: the views readers use, and the registry. */
  readonly readSchema: string;
  /** READ_ES_INDEX_PREFIX: the aliases `<prefix>-<type>` readers search. */
  readonly readIndexPrefix: string;
  readonly readRole: string;
  readonly drawingsRole: string;
  /** REPROCESS_PROCESSOR_BUNDLE: the built stream-processor `start` runs. */
  readonly processorBundle: string;
  /** REPROCESS_LOG_DIR: where each started processor writes its log. */
  readonly logDir: string;
  /**
   * REPROCESS_CAUGHT_UP_MS: a version is caught up when its checkpoints have passed where the
   * log ended at most this long ago (switch and verify wait that long for it).
   */
  readonly caughtUpMs: number;
}

const WORKSPACE = path.resolve(__dirname, '../../..');

export function readReprocessConfig(env: Environment): ReprocessConfig {
  return readConfig(env, (r) => {
    const outputs = outputNameSettings(r);
    return {
      kafka: kafkaSettings(r, 'reprocess'),
      database: databaseSettings(r),
      elasticsearch: elasticsearchSettings(r),
      rawTopic: rawTopic(r),
      base: {
        consumerGroup: r.string('CONSUMER_GROUP', 'stream-processor', {
          pattern: /^[A-Za-z0-9._-]{1,150}$/,
          hint: 'must be a consumer group id (letters, digits, . _ -)',
        }),
        pgSchema: r.string('PG_SCHEMA', 'public', {
          pattern: /^[a-z_][a-z0-9_]{0,30}$/,
          hint: 'must be a lower-case PostgreSQL identifier of at most 31 characters',
        }),
        esIndexPrefix: r.string('ES_INDEX_PREFIX', 'readings', {
          pattern: /^[a-z0-9][a-z0-9._-]{0,100}$/,
          hint: 'must be a lower-case index name prefix',
        }),
        topicPrefix: outputs.topicPrefix,
        topicSuffix: outputs.topicSuffix,
        dlqTopic: deadLetterTopic(r),
        alertsTopic: alertsTopic(r),
      },
      readSchema: readSchema(r),
      readIndexPrefix: r.string('READ_ES_INDEX_PREFIX', 'readings_current', {
        pattern: /^[a-z0-9][a-z0-9._-]{0,100}$/,
        hint: 'must be a lower-case index name prefix, e.g. readings_current',
      }),
      readRole: outputs.postgresReadRole,
      drawingsRole: outputs.postgresDrawingsRole,
      processorBundle: r.string(
        'REPROCESS_PROCESSOR_BUNDLE',
        path.join(WORKSPACE, 'dist/apps/stream-processor/main.js'),
      ),
      logDir: r.string('REPROCESS_LOG_DIR', path.join(WORKSPACE, '.stack/logs/reprocess')),
      caughtUpMs: r.int('REPROCESS_CAUGHT_UP_MS', 30_000, { min: 0, max: 3_600_000 }),
    };
  });
}
