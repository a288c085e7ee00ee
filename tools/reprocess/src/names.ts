import { INSTRUMENT_TYPES, type InstrumentType } from '@geostream/instrument-schemas';
import { perTypeTopicNamer, windowIndexName } from '@geostream/sinks';

/**
 * Everything a version writes, named once: the stream-processor variables that give a run its
 * own consumer group, PostgreSQL schema, Elasticsearch indices and topics. The registry stores
 * these, and `start` hands them to the processor as its environment.
 */
export interface VersionNames {
  readonly version: string;
  readonly consumerGroup: string;
  readonly pgSchema: string;
  readonly esIndexPrefix: string;
  readonly topicSuffix: string;
  readonly dlqTopic: string;
  readonly alertsTopic: string;
}

/** The live deployment's names (its environment), from which a version's names derive. */
export interface BaseNames {
  readonly consumerGroup: string;
  /** PG_SCHEMA; `public` gives versions `geostream_<version>`. */
  readonly pgSchema: string;
  readonly esIndexPrefix: string;
  readonly topicPrefix: string;
  readonly topicSuffix: string;
  readonly dlqTopic: string;
  readonly alertsTopic: string;
}

/** A version name: short, lower case, valid inside every name it derives (schema, index, topic). */
export const VERSION_NAME = /^[a-z][a-z0-9_]{0,29}$/;

/** The processor variables a version's names occupy: `--set` may not override them. */
export const NAME_VARIABLES = [
  'CONSUMER_GROUP',
  'PG_SCHEMA',
  'ES_INDEX_PREFIX',
  'OUTPUT_TOPIC_PREFIX',
  'OUTPUT_TOPIC_SUFFIX',
  'DLQ_TOPIC',
  'ALERTS_TOPIC',
] as const;

export function versionNames(base: BaseNames, version: string): VersionNames {
  const schemaStem = base.pgSchema === 'public' ? 'geostream' : base.pgSchema;
  return {
    version,
    consumerGroup: `${base.consumerGroup}-${version}`,
    pgSchema: `${schemaStem}_${version}`,
    esIndexPrefix: `${base.esIndexPrefix}_${version}`,
    topicSuffix: `${base.topicSuffix}.${version}`,
    dlqTopic: `${base.dlqTopic}.${version}`,
    alertsTopic: `${base.alertsTopic}.${version}`,
  };
}

/** The processor environment that makes it write this version's outputs. */
export function versionEnvironment(
  names: VersionNames,
  topicPrefix: string,
): Record<(typeof NAME_VARIABLES)[number], string> {
  return {
    CONSUMER_GROUP: names.consumerGroup,
    PG_SCHEMA: names.pgSchema,
    ES_INDEX_PREFIX: names.esIndexPrefix,
    OUTPUT_TOPIC_PREFIX: topicPrefix,
    OUTPUT_TOPIC_SUFFIX: names.topicSuffix,
    DLQ_TOPIC: names.dlqTopic,
    ALERTS_TOPIC: names.alertsTopic,
  };
}

/** The version's per-type topics, by the rule the processor names them. */
export function versionTopics(names: VersionNames, topicPrefix: string): string[] {
  const topicOf = perTypeTopicNamer({ prefix: topicPrefix, suffix: names.topicSuffix });
  return INSTRUMENT_TYPES.map(topicOf);
}

/** `<prefix>-<type>` for each type: the version's indices, or the readers' aliases. */
export function indicesOf(prefix: string): { type: InstrumentType; name: string }[] {
  return INSTRUMENT_TYPES.map((type) => ({ type, name: windowIndexName(prefix, type) }));
}
