import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isLocalHost, splitHostPort, type StackContext } from './context';
import { javaBinary } from './java';
import { readManaged, run, startDetached, stopIfOurs, waitUntilHealthy } from './processes';
import type { ServiceStatus, StackService } from './service';

/**
 * Apache Kafka in KRaft mode (one node that is both broker and controller), run straight from
 * the official jars on Maven Central. Only a broker on this machine is managed; a remote
 * KAFKA_BROKERS is checked, never started.
 */
export const kafkaService: StackService = {
  name: 'kafka',
  async up(context) {
    const broker = brokerAddress(context);
    const logFile = path.join(context.logsDir, 'kafka.log');
    if (readManaged(context.runDir, 'kafka')) return this.status(context);
    if (await kafkaHealthy(context))
      return status(context, 'external', true, 'already running, not started by this stack');
    if (!isLocalHost(broker.host)) {
      throw new Error(
        `Kafka at ${context.settings.kafka.brokers.join(',')} is not reachable, and it is not on this machine to start.`,
      );
    }
    const libs = fetchKafkaJars(context);
    const { configFile, log4jFile, dataDir } = writeKafkaConfig(context, broker.port);
    const java = javaBinary(context);
    const classpath = `${libs}/*`;
    const jvm = [
      `-Xms256m`,
      `-Xmx${context.settings.kafkaHeap}`,
      `-Dlog4j2.configurationFile=${log4jFile}`,
      '-cp',
      classpath,
    ];
    if (!existsSync(path.join(dataDir, 'meta.properties'))) {
      // Passed as one token: a random id may begin with '-', which the tool would take for an option.
      const clusterId = randomBytes(16).toString('base64url');
      run(
        java,
        [
          ...jvm,
          'kafka.tools.StorageTool',
          'format',
          `--cluster-id=${clusterId}`,
          '-c',
          configFile,
        ],
        {
          quiet: true,
        },
      );
    }
    const managed = startDetached(
      context.runDir,
      'kafka',
      configFile,
      java,
      [...jvm, 'kafka.Kafka', configFile],
      logFile,
      {
        cwd: path.dirname(configFile),
      },
    );
    await waitUntilHealthy('Kafka', () => kafkaHealthy(context), {
      timeoutMs: 120_000,
      logFile,
      isAlive: () => readManaged(context.runDir, managed.name) !== undefined,
    });
    return this.status(context);
  },
  down(context) {
    return stopIfOurs(context.runDir, 'kafka');
  },
  async status(context) {
    const ours = readManaged(context.runDir, 'kafka') !== undefined;
    const healthy = await kafkaHealthy(context);
    return status(
      context,
      ours ? 'ours' : healthy ? 'external' : 'none',
      healthy,
      ours ? 'started by this stack' : '',
    );
  },
};

function status(
  context: StackContext,
  owner: ServiceStatus['owner'],
  healthy: boolean,
  detail: string,
): ServiceStatus {
  return {
    service: 'kafka',
    owner,
    healthy,
    endpoint: context.settings.kafka.brokers.join(','),
    detail: `Apache Kafka ${context.settings.kafkaVersion} (KRaft)${detail ? `, ${detail}` : ''}`,
    logFile: path.join(context.logsDir, 'kafka.log'),
  };
}

function brokerAddress(context: StackContext): { host: string; port: number } {
  return splitHostPort(context.settings.kafka.brokers[0] ?? '127.0.0.1:9092');
}

/** Healthy = the broker answers a metadata request through kafkajs, the client the apps use. */
async function kafkaHealthy(context: StackContext): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'geostream-stack',
    brokers: [...context.settings.kafka.brokers],
    ssl: context.settings.kafka.ssl === false ? false : true,
    ...(context.settings.kafka.sasl && { sasl: { ...context.settings.kafka.sasl } as never }),
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The broker's classpath, fetched once with Maven into the cache (outside the repository). */
function fetchKafkaJars(context: StackContext): string {
  const version = context.settings.kafkaVersion;
  const libs = path.join(context.cacheDir, `kafka-${version}`, 'libs');
  const complete = path.join(libs, '.complete');
  if (existsSync(complete)) return libs;
  process.stdout.write(`Fetching Apache Kafka ${version} from Maven Central into ${libs} ...\n`);
  run('mvn', [
    '-q',
    '-B',
    '-f',
    path.join(context.repoRoot, 'tools/stack/kafka/pom.xml'),
    'dependency:copy-dependencies',
    `-Dkafka.version=${version}`,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libs}`,
  ]);
  writeFileSync(complete, `${version}\n`);
  return libs;
}

function writeKafkaConfig(
  context: StackContext,
  port: number,
): { configFile: string; log4jFile: string; dataDir: string } {
  const dir = path.join(context.stackDir, 'kafka');
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const controllerPort = context.settings.kafkaControllerPort;
  const configFile = path.join(dir, 'server.properties');
  writeFileSync(
    configFile,
    [
      '# Written by `npm run stack -- up`; edits are overwritten.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${dataDir}`,
      // Topics are created explicitly by the apps, with the partitions they need; a typo in a
      // topic name should fail loudly, not create a stray topic.
      'auto.create.topics.enable=false',
      'num.partitions=6',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=4',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      // Tests create many short-lived consumer groups: don't wait 3 s for more members.
      'group.initial.rebalance.delay.ms=0',
      // The raw log is the source of truth (Kappa): keep it a year by default.
      'log.retention.hours=8760',
      '',
    ].join('\n'),
  );
  const log4jFile = path.join(dir, 'log4j2.properties');
  writeFileSync(
    log4jFile,
    [
      'status = warn',
      'appender.console.type = Console',
      'appender.console.name = STDOUT',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      'logger.kafka.name = kafka',
      'logger.kafka.level = INFO',
      'logger.state.name = state.change.logger',
      'logger.state.level = WARN',
      '',
    ].join('\n'),
  );
  return { configFile, log4jFile, dataDir };
}
