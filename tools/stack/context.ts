import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  databaseSettings,
  elasticsearchSettings,
  kafkaSettings,
  readConfig,
  type DatabaseSettings,
  type ElasticsearchSettings,
  type KafkaSettings,
} from '@geostream/platform';
import { checkoutStateDir, geostreamCacheDir } from './cache-dir.cjs';

/**
 * Where the local stack keeps things:
 * - `.stack/` in the repository (git-ignored): logs/ (every service's log), run/ (pid files and
 *   markers of what `up` started), kafka/ (broker config and data).
 * - a cache outside the repository for downloads (Kafka jars, the Elasticsearch distribution) and
 *   for Elasticsearch's own state: Elasticsearch refuses to run as root, so when we are root it
 *   runs as an unprivileged user, which may not be able to enter the repository's directory.
 */
export interface StackContext {
  readonly repoRoot: string;
  readonly stackDir: string;
  readonly logsDir: string;
  readonly runDir: string;
  readonly cacheDir: string;
  /** Per-checkout directory under the cache, so two clones never share a node's state. */
  readonly checkoutStateDir: string;
  readonly settings: StackSettings;
}

export interface StackSettings {
  readonly kafka: KafkaSettings;
  readonly kafkaVersion: string;
  readonly kafkaHeap: string;
  readonly kafkaControllerPort: number;
  /** KRaft nodes to run on this machine (`--brokers 3`): 1, or 3 (replication 3, min ISR 2). */
  readonly kafkaNodes: number;
  readonly database: DatabaseSettings;
  /** True when DATABASE_URL was given: use that server as it is, never start or stop it. */
  readonly databaseUrlGiven: boolean;
  readonly elasticsearch: ElasticsearchSettings;
  readonly elasticsearchVersion: string;
  readonly elasticsearchHeap: string;
  readonly javaHome: string | undefined;
}

const HEAP = /^\d+[mg]$/;

export function loadStackContext(env: NodeJS.ProcessEnv = process.env): StackContext {
  const repoRoot = path.resolve(__dirname, '../..');
  const settings = readConfig(env, (r) => {
    const kafka = kafkaSettings(r, 'geostream-stack');
    const brokerPort = Number(kafka.brokers[0]?.split(':').pop() ?? 9092);
    return {
      kafka,
      kafkaVersion: r.string('KAFKA_VERSION', '4.4.0', {
        pattern: /^\d+\.\d+\.\d+$/,
        hint: 'must be a version like 4.4.0',
      }),
      kafkaHeap: r.string('STACK_KAFKA_HEAP', '512m', {
        pattern: HEAP,
        hint: 'must be a JVM size like 512m',
      }),
      kafkaNodes: kafkaNodes(r.int('STACK_KAFKA_BROKERS', 1, { min: 1, max: 3 }), r),
      kafkaControllerPort: r.port('KAFKA_CONTROLLER_PORT', brokerPort + 1),
      database: databaseSettings(r),
      databaseUrlGiven: r.raw('DATABASE_URL') !== undefined,
      elasticsearch: elasticsearchSettings(r),
      elasticsearchVersion: r.string('ELASTICSEARCH_VERSION', '8.19.21', {
        pattern: /^8\.\d+\.\d+$/,
        hint: 'must be an 8.x version like 8.19.21 (the client is 8.x)',
      }),
      elasticsearchHeap: r.string('STACK_ELASTICSEARCH_HEAP', '512m', {
        pattern: HEAP,
        hint: 'must be a JVM size like 512m',
      }),
      javaHome: r.optionalString('JAVA_HOME'),
    };
  });
  const cacheDir = geostreamCacheDir(env);
  const stackDir = path.join(repoRoot, '.stack');
  const context: StackContext = {
    repoRoot,
    stackDir,
    logsDir: path.join(stackDir, 'logs'),
    runDir: path.join(stackDir, 'run'),
    cacheDir,
    checkoutStateDir: checkoutStateDir(cacheDir, repoRoot),
    settings,
  };
  for (const dir of [context.logsDir, context.runDir, context.cacheDir, context.checkoutStateDir]) {
    mkdirSync(dir, { recursive: true });
  }
  return context;
}

function kafkaNodes(n: number, r: { problem(name: string, message: string): void }): number {
  // Two nodes cannot keep a KRaft quorum through the loss of one: 1 or 3.
  if (n === 2) r.problem('STACK_KAFKA_BROKERS', 'must be 1 or 3 (two KRaft nodes cannot lose one)');
  return n;
}

/** host:port of a broker string such as 127.0.0.1:9092. */
export function splitHostPort(address: string): { host: string; port: number } {
  const index = address.lastIndexOf(':');
  return {
    host: address.slice(0, index).replace(/^\[|\]$/g, ''),
    port: Number(address.slice(index + 1)),
  };
}

export function isLocalHost(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1'].includes(host);
}
