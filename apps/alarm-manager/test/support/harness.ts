import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import { createLogger } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';

export const services = testServices();
export const quietLogger = createLogger('alarm-manager-test', 'silent');
const ROOT = path.resolve(__dirname, '../../../..');

/** Everything one suite writes to, named uniquely. */
export interface Isolation {
  readonly id: string;
  readonly topic: string;
  readonly group: string;
  readonly schema: string;
  readonly index: string;
  readonly env: Record<string, string>;
}

export function isolation(name: string, env: Record<string, string> = {}): Isolation {
  const id = uniqueName(`am-${name}`).replace(/[^a-z0-9]/g, '');
  const iso = {
    id,
    topic: `${id}.alerts`,
    group: `${id}-group`,
    schema: id,
    index: `${id}-alerts`,
  };
  return {
    ...iso,
    env: {
      KAFKA_BROKERS: services.kafka.brokers.join(','),
      DATABASE_URL: services.database.url,
      ELASTICSEARCH_URL: services.elasticsearch.enabled ? services.elasticsearch.url : 'off',
      ALERTS_TOPIC: iso.topic,
      ALARM_MANAGER_GROUP: iso.group,
      APP_PG_SCHEMA: iso.schema,
      ALERTS_INDEX: iso.index,
      LOG_LEVEL: 'info',
      ...env,
    },
  };
}

/** A free TCP port on 127.0.0.1 (for the child's /health). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The alarm-manager as its own OS process (the esbuild bundle): SIGKILL is a real crash. */
export interface ManagerProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startManagerProcess(
  iso: Isolation,
  name: string,
  env: Record<string, string>,
): ManagerProcess {
  const bundle = path.join(ROOT, 'dist/apps/alarm-manager/main.js');
  const logDir = path.join(tmpdir(), 'geostream-alarm-manager-tests');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${iso.id}-${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: ROOT,
    env: { ...process.env, ...iso.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    logFile,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** knex as the login role (the owner of the tables), on the suite's schema. */
export function inspector(schema: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: services.database.url,
    searchPath: [schema],
    pool: { min: 0, max: 2 },
  });
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function removeKafkaThings(kafka: Kafka, iso: Isolation): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [iso.topic] }).catch(() => undefined);
  await admin.deleteGroups([iso.group]).catch(() => undefined);
  await admin.disconnect();
}
