import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import type { TopicSpec } from '@geostream/platform';
import { SinkOptionsError } from '../errors';
import type { OutputTopics } from './messages';
import { DEFAULT_MAX_REQUEST_BYTES } from './produce-requests';
import { defaultPerTypeTopic } from './topic-names';
import type { KafkaSinkOptions } from './types';

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export interface ResolvedKafkaOptions {
  readonly topics: OutputTopics;
  /** Per-type topics, then alerts, then dead letters. */
  readonly topicNames: readonly string[];
  /** What ensureTopics() creates: topicNames, each with its partitions, replication and configs. */
  readonly topicSpecs: readonly TopicSpec[];
  readonly partitions: number;
  readonly replication: number;
  readonly sendRetries: number;
  readonly maxRequestBytes: number;
}

export function resolveKafkaOptions(options: KafkaSinkOptions): ResolvedKafkaOptions {
  const topics: OutputTopics = {
    perType: options.topics?.perType ?? defaultPerTypeTopic,
    alerts: options.topics?.alerts,
    deadLetter: options.topics?.deadLetter,
  };
  const partitions = options.partitions ?? 3;
  const replication = options.replication ?? 1;
  const configs = options.topicConfigs ?? {};
  const specOf = (topic: string, topicConfigs: Readonly<Record<string, string>> = {}) => ({
    topic,
    partitions,
    replication,
    configs: topicConfigs,
  });
  const topicSpecs = [
    ...INSTRUMENT_TYPES.map((type) => specOf(topics.perType(type), configs.perType)),
    specOf(topics.alerts, configs.alerts),
    specOf(topics.deadLetter, configs.deadLetter),
  ];
  const topicNames = topicSpecs.map((spec) => spec.topic);
  const sendRetries = options.sendRetries ?? Number.MAX_SAFE_INTEGER;
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const problems: string[] = [];
  if (!options.kafka) problems.push('kafka (a kafkajs client) is required');
  for (const name of topicNames) {
    if (typeof name !== 'string' || !TOPIC_NAME.test(name))
      problems.push(`topic ${JSON.stringify(name)} is not a valid Kafka topic name`);
  }
  // Two outputs on one topic would mix formats that consumers tell apart by topic.
  if (new Set(topicNames).size !== topicNames.length)
    problems.push(`topics must be distinct, got ${topicNames.join(', ')}`);
  if (!Number.isInteger(partitions) || partitions < 1) problems.push('partitions must be >= 1');
  if (!Number.isInteger(replication) || (replication < 1 && replication !== -1))
    problems.push('replication must be >= 1, or -1 for the broker default');
  if (!Number.isInteger(sendRetries) || sendRetries < 1) problems.push('sendRetries must be >= 1');
  if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1)
    problems.push('maxRequestBytes must be >= 1');
  if (problems.length > 0) throw new SinkOptionsError('kafka', problems);
  return { topics, topicNames, topicSpecs, partitions, replication, sendRetries, maxRequestBytes };
}
