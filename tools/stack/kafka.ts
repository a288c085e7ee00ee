import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { isLocalHost, splitHostPort, type StackContext } from './context';
import { javaBinary } from './java';
import { readManaged, run, startDetached, stopIfOurs, waitUntilHealthy } from './processes';
import type { ServiceStatus, StackService } from './service';

/**
 * Apache Kafka in KRaft mode, run straight from the official jars on Maven Central: one node that
 * is both broker and controller, or with `--brokers 3` (STACK_KAFKA_BROKERS=3) three such nodes
 * with replication 3 and min.insync.replicas 2. Only brokers on this machine are managed; a
 * remote KAFKA_BROKERS is checked, never started.
 */
export const kafkaService: StackService = {
  name: 'kafka',
  async up(context) {
    const broker = brokerAddress(context);
    const nodes = kafkaNodes(context);
    if (nodes.every((node) => readManaged(context.runDir, node.name))) return this.status(context);
    const running = await brokerCount(context);
    if (running >= nodes.length)
      return status(context, 'external', true, 'already running, not started by this stack');
    if (running > 0) {
      throw new Error(
        `a Kafka of ${running} broker(s) answers at ${context.settings.kafka.brokers.join(',')}, and ${nodes.length} were asked for: stop it first (npm run stack -- down), or point KAFKA_BROKERS elsewhere.`,
      );
    }
    if (!isLocalHost(broker.host)) {
      throw new Error(
        `Kafka at ${context.settings.kafka.brokers.join(',')} is not reachable, and it is not on this machine to start.`,
      );
    }
    const libs = fetchKafkaJars(context);
    const java = javaBinary(context);
    // One cluster id for all the nodes, kept beside them so a node formatted later joins them.
    const clusterIdFile = path.join(path.dirname(nodes[0]?.dir as string), 'cluster-id');
    const clusterId = existsSync(clusterIdFile)
      ? readFileSync(clusterIdFile, 'utf8').trim()
      : randomBytes(16).toString('base64url');
    for (const node of nodes) {
      if (readManaged(context.runDir, node.name)) continue;
      const { configFile, log4jFile, dataDir } = writeKafkaConfig(context, node, nodes);
      const jvm = [
        `-Xms${nodes.length > 1 ? '128m' : '256m'}`,
        `-Xmx${nodeHeap(context)}`,
        `-Dlog4j2.configurationFile=${log4jFile}`,
        '-cp',
        `${libs}/*`,
      ];
      if (!existsSync(path.join(dataDir, 'meta.properties'))) {
        // Passed as one token: a random id may begin with '-', which the tool would take for an option.
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
          { quiet: true },
        );
        writeFileSync(clusterIdFile, `${clusterId}\n`);
      }
      startDetached(
        context.runDir,
        node.name,
        configFile,
        java,
        [...jvm, 'kafka.Kafka', configFile],
        node.logFile,
        { cwd: path.dirname(configFile) },
      );
    }
    await waitUntilHealthy('Kafka', () => kafkaHealthy(context), {
      timeoutMs: 120_000 * nodes.length,
      logFile: nodes[0]?.logFile,
      isAlive: () => nodes.every((node) => readManaged(context.runDir, node.name) !== undefined),
    });
    return this.status(context);
  },
  async down(context) {
    // Whatever was started, one node or three: `down` needs no --brokers.
    const results: string[] = [];
    for (const name of ['kafka', ...[1, 2, 3].map((i) => `kafka-${i}`)]) {
      if (name !== 'kafka' && readManaged(context.runDir, name) === undefined) continue;
      results.push(await stopIfOurs(context.runDir, name));
    }
    return results.join('\n');
  },
  async status(context) {
    const nodes = kafkaNodes(context);
    const ours = nodes.every((node) => readManaged(context.runDir, node.name) !== undefined);
    const healthy = await kafkaHealthy(context);
    return status(
      context,
      ours ? 'ours' : healthy ? 'external' : 'none',
      healthy,
      ours ? 'started by this stack' : '',
    );
  },
};

/** One KRaft node of the local stack (broker and controller). */
interface KafkaNode {
  readonly id: number;
  /** The managed process name: `kafka` for the single node, `kafka-<id>` in a cluster. */
  readonly name: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dir: string;
  readonly logFile: string;
}

/**
 * The nodes `up` runs: one on KAFKA_BROKERS' port (its controller on KAFKA_CONTROLLER_PORT), or
 * three on consecutive pairs of ports from there (9092/9093, 9094/9095, 9096/9097), each with
 * its own directory, so a cluster never reuses the single node's data.
 */
function kafkaNodes(context: StackContext): KafkaNode[] {
  const { port } = brokerAddress(context);
  const count = context.settings.kafkaNodes;
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: count === 1 ? 'kafka' : `kafka-${i + 1}`,
    port: port + 2 * i,
    controllerPort: context.settings.kafkaControllerPort + 2 * i,
    dir:
      count === 1
        ? path.join(context.stackDir, 'kafka')
        : path.join(context.stackDir, 'kafka-cluster', `node-${i + 1}`),
    logFile: path.join(context.logsDir, count === 1 ? 'kafka.log' : `kafka-${i + 1}.log`),
  }));
}

/** STACK_KAFKA_HEAP, or 256m a node when three share the machine and no heap was given. */
function nodeHeap(context: StackContext): string {
  const given = process.env['STACK_KAFKA_HEAP'] !== undefined;
  return context.settings.kafkaNodes > 1 && !given ? '256m' : context.settings.kafkaHeap;
}

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
    endpoint: kafkaNodes(context)
      .map((node) => `127.0.0.1:${node.port}`)
      .join(','),
    detail: `Apache Kafka ${context.settings.kafkaVersion} (KRaft${
      context.settings.kafkaNodes > 1
        ? `, ${context.settings.kafkaNodes} nodes, replication 3, min ISR 2`
        : ''
    })${detail ? `, ${detail}` : ''}`,
    logFile: kafkaNodes(context)[0]?.logFile as string,
  };
}

function brokerAddress(context: StackContext): { host: string; port: number } {
  return splitHostPort(context.settings.kafka.brokers[0] ?? '127.0.0.1:9092');
}

/** Healthy = every node answers in the cluster's metadata (through kafkajs, as the apps use it). */
async function kafkaHealthy(context: StackContext): Promise<boolean> {
  return (await brokerCount(context)) >= context.settings.kafkaNodes;
}

/** The brokers in the cluster KAFKA_BROKERS reaches, with a controller; 0 if it does not answer. */
async function brokerCount(context: StackContext): Promise<number> {
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
    return cluster.controller === null ? 0 : cluster.brokers.length;
  } catch {
    return 0;
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
  node: KafkaNode,
  nodes: readonly KafkaNode[],
): { configFile: string; log4jFile: string; dataDir: string } {
  const dir = node.dir;
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = path.join(dir, 'server.properties');
  const voters = nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
  // Replicated when there are three: a topic created with the broker's default replication (the
  // apps' default) survives the loss of a node, and acks=all still needs two in-sync replicas.
  const replication = Math.min(3, nodes.length);
  const minIsr = nodes.length >= 3 ? 2 : 1;
  writeFileSync(
    configFile,
    [
      '# Written by `npm run stack -- up`; edits are overwritten.',
      'process.roles=broker,controller',
      `node.id=${node.id}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${dataDir}`,
      // Topics are created explicitly by the apps, with the partitions they need; a typo in a
      // topic name should fail loudly, not create a stray topic.
      'auto.create.topics.enable=false',
      'num.partitions=6',
      `default.replication.factor=${replication}`,
      `min.insync.replicas=${minIsr}`,
      `offsets.topic.replication.factor=${replication}`,
      'offsets.topic.num.partitions=10',
      `transaction.state.log.replication.factor=${replication}`,
      `transaction.state.log.min.isr=${minIsr}`,
      'transaction.state.log.num.partitions=4',
      `share.coordinator.state.topic.replication.factor=${replication}`,
      `share.coordinator.state.topic.min.isr=${minIsr}`,
      // Tests create many short-lived consumer groups: don't wait 3 s for more members.
      'group.initial.rebalance.delay.ms=0',
      // The raw log is the source of truth (Kappa): keep it a year by default.
      'log.retention.hours=8760',
      // The log cleaner takes its dedupe buffer (128 MB by default) from the heap in one piece at
      // start-up; in a node of 256 MB, three to a machine, that failed once with "Java heap
      // space" (CI, 2026-12-05). The compacted topics here (offsets, transactions, the
      // producer's cursors) are small: 16 MB dedupes about 600,000 keys a pass.
      'log.cleaner.dedupe.buffer.size=16777216',
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
