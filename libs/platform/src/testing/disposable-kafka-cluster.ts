import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, kafkaLibsDir } from './disposable-kafka';

/**
 * A three-node KRaft cluster of a test's own (each node broker and controller, free ports, data in
 * a temp dir, small heaps), for tests where losing a broker is the point: replication factor 3
 * and min.insync.replicas 2 by default, for the topics the apps create with the broker's default
 * replication and for the internal offsets and transaction topics. The shared broker on 9092 is
 * untouched. Starting takes 20 to 30 s on two cores.
 */
export interface DisposableKafkaNode {
  readonly nodeId: number;
  readonly broker: string;
  /** Starts (or restarts, keeping its data) the node. */
  start(): Promise<void>;
  /** Crash (SIGKILL), waits for exit. */
  kill(): Promise<void>;
}

export interface DisposableKafkaCluster {
  readonly brokers: readonly string[];
  readonly nodes: readonly DisposableKafkaNode[];
  /** The node leading a partition now. */
  leaderOf(topic: string, partition: number): Promise<DisposableKafkaNode>;
  /** Waits until every node is back in the cluster and every partition of `topic` is fully in sync. */
  awaitInSync(topic: string, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function startDisposableKafkaCluster(
  options: { nodes?: number; heap?: string } = {},
): Promise<DisposableKafkaCluster> {
  const count = options.nodes ?? 3;
  const libs = kafkaLibsDir();
  const ports = await Promise.all(Array.from({ length: count * 2 }, () => freePort()));
  const dir = mkdtempSync(path.join(tmpdir(), 'geostream-kafka-cluster-'));
  const clusterId = randomBytes(16).toString('base64url');
  const voters = Array.from(
    { length: count },
    (_, i) => `${i + 1}@127.0.0.1:${ports[count + i] as number}`,
  ).join(',');
  const replication = Math.min(3, count);
  const minIsr = count >= 3 ? 2 : 1;
  const nodes = Array.from({ length: count }, (_, i) => {
    const nodeId = i + 1;
    const port = ports[i] as number;
    const controllerPort = ports[count + i] as number;
    const nodeDir = path.join(dir, `node-${nodeId}`);
    mkdirSync(nodeDir, { recursive: true });
    const config = path.join(nodeDir, 'server.properties');
    const log4j = path.join(nodeDir, 'log4j2.properties');
    writeFileSync(
      config,
      [
        'process.roles=broker,controller',
        `node.id=${nodeId}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${path.join(nodeDir, 'data')}`,
        'auto.create.topics.enable=false',
        `default.replication.factor=${replication}`,
        `min.insync.replicas=${minIsr}`,
        `offsets.topic.replication.factor=${replication}`,
        'offsets.topic.num.partitions=3',
        `transaction.state.log.replication.factor=${replication}`,
        `transaction.state.log.min.isr=${minIsr}`,
        'transaction.state.log.num.partitions=2',
        'group.initial.rebalance.delay.ms=0',
        // A killed node is fenced, and its partitions get new leaders, after 3 s (Kafka: 9 s).
        'broker.session.timeout.ms=3000',
        'broker.heartbeat.interval.ms=500',
        '',
      ].join('\n'),
    );
    writeFileSync(
      log4j,
      [
        'status = warn',
        'appender.f.type = File',
        'appender.f.name = F',
        `appender.f.fileName = ${path.join(nodeDir, 'kafka.log')}`,
        'appender.f.layout.type = PatternLayout',
        'appender.f.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.f.ref = F',
        '',
      ].join('\n'),
    );
    const jvm = [
      '-Xms128m',
      `-Xmx${options.heap ?? '256m'}`,
      '-XX:+UseSerialGC',
      `-Dlog4j2.configurationFile=${log4j}`,
      '-cp',
      `${libs}/*`,
    ];
    const format = spawnSync(
      'java',
      [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config],
      { encoding: 'utf8' },
    );
    if (format.status !== 0)
      throw new Error(`formatting test node ${nodeId} failed: ${format.stderr}`);
    return {
      nodeId,
      broker: `127.0.0.1:${port}`,
      jvm,
      config,
      logFile: path.join(nodeDir, 'kafka.log'),
    };
  });
  const brokers = nodes.map((n) => n.broker);
  const children = new Map<number, ChildProcess>();

  // Bootstraps from the nodes running now: a killed node would refuse the connection.
  const admin = () =>
    new Kafka({
      brokers: nodes.filter((n) => children.has(n.nodeId)).map((n) => n.broker),
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200 },
      connectionTimeout: 1_000,
    }).admin();

  const liveBrokers = async (): Promise<number> => {
    const client = admin();
    try {
      await client.connect();
      const cluster = await client.describeCluster();
      return cluster.controller === null ? 0 : cluster.brokers.length;
    } catch {
      return 0;
    } finally {
      await client.disconnect().catch(() => undefined);
    }
  };

  const waitFor = async (what: string, ok: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > deadline)
        throw new Error(`test cluster: ${what} not within ${timeoutMs} ms (logs in ${dir})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  const handles: DisposableKafkaNode[] = nodes.map((node) => ({
    nodeId: node.nodeId,
    broker: node.broker,
    async start() {
      if (children.has(node.nodeId)) return;
      children.set(
        node.nodeId,
        spawn('java', [...node.jvm, 'kafka.Kafka', node.config], { stdio: 'ignore' }),
      );
    },
    async kill() {
      const child = children.get(node.nodeId);
      children.delete(node.nodeId);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  }));

  const cluster: DisposableKafkaCluster = {
    brokers,
    nodes: handles,
    async leaderOf(topic, partition) {
      const client = admin();
      await client.connect();
      try {
        const metadata = await client.fetchTopicMetadata({ topics: [topic] });
        const leader = metadata.topics[0]?.partitions.find(
          (p) => p.partitionId === partition,
        )?.leader;
        const node = handles.find((h) => h.nodeId === leader);
        if (!node) throw new Error(`no leader for ${topic}/${partition}`);
        return node;
      } finally {
        await client.disconnect().catch(() => undefined);
      }
    },
    async awaitInSync(topic, timeoutMs = 90_000) {
      await waitFor(
        `${topic} in sync on ${count} nodes`,
        async () => {
          if ((await liveBrokers()) < count) return false;
          const client = admin();
          try {
            await client.connect();
            const metadata = await client.fetchTopicMetadata({ topics: [topic] });
            return (metadata.topics[0]?.partitions ?? []).every(
              (p) => p.isr.length === p.replicas.length,
            );
          } catch {
            return false;
          } finally {
            await client.disconnect().catch(() => undefined);
          }
        },
        timeoutMs,
      );
    },
    async dispose() {
      await Promise.all(handles.map((h) => h.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await Promise.all(handles.map((h) => h.start()));
  try {
    await waitFor(`${count} brokers`, async () => (await liveBrokers()) === count, 120_000);
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
}
