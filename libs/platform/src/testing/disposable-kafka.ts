import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A Kafka broker of a test's own (KRaft, one node, free ports, data in a temp dir), for tests that
 * must stop, kill or restart the broker without disturbing the shared stack. Uses the jars
 * `npm run stack -- up` fetched into the cache (GEOSTREAM_KAFKA_LIBS overrides the directory).
 * Starting takes about 10 s on two cores; use it only where a broker outage is the point.
 */
export interface DisposableKafka {
  readonly brokers: readonly string[];
  /** Starts (or restarts, keeping its data) the broker and waits until it answers. */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM), waits for exit. */
  stop(): Promise<void>;
  /** Crash (SIGKILL), waits for exit. */
  kill(): Promise<void>;
  /** Stops the broker and deletes its data. */
  dispose(): Promise<void>;
}

export async function startDisposableKafka(
  options: { heap?: string } = {},
): Promise<DisposableKafka> {
  const libs = kafkaLibsDir();
  const [port, controllerPort] = await Promise.all([freePort(), freePort()]);
  const dir = mkdtempSync(path.join(tmpdir(), 'geostream-kafka-'));
  const config = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j2.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${path.join(dir, 'data')}`,
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=2',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  writeFileSync(
    log4j,
    [
      'status = warn',
      'appender.f.type = File',
      'appender.f.name = F',
      `appender.f.fileName = ${path.join(dir, 'kafka.log')}`,
      'appender.f.layout.type = PatternLayout',
      'appender.f.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.f.ref = F',
      '',
    ].join('\n'),
  );
  const jvm = [
    `-Xms128m`,
    `-Xmx${options.heap ?? '384m'}`,
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    `${libs}/*`,
  ];
  const format = spawnSync(
    'java',
    [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      // One token: a random id may begin with '-', which the tool would read as an option.
      `--cluster-id=${randomBytes(16).toString('base64url')}`,
      '-c',
      config,
    ],
    {
      encoding: 'utf8',
    },
  );
  if (format.status !== 0) throw new Error(`formatting a test broker failed: ${format.stderr}`);
  const brokers = [`127.0.0.1:${port}`];
  let child: ChildProcess | undefined;

  const waitForExit = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
    child = undefined;
  };

  const broker: DisposableKafka = {
    brokers,
    async start() {
      if (child) return;
      child = spawn('java', [...jvm, 'kafka.Kafka', config], { stdio: 'ignore' });
      const deadline = Date.now() + 90_000;
      while (!(await answers(brokers))) {
        if (child.exitCode !== null)
          throw new Error(`test broker exited; see ${path.join(dir, 'kafka.log')}`);
        if (Date.now() > deadline)
          throw new Error(`test broker not ready in 90 s; see ${path.join(dir, 'kafka.log')}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    stop: () => waitForExit('SIGTERM'),
    kill: () => waitForExit('SIGKILL'),
    async dispose() {
      await waitForExit('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

/** The jars `npm run stack -- up` fetched (shared with the disposable cluster). */
export function kafkaLibsDir(): string {
  const version = process.env['KAFKA_VERSION'] ?? '4.4.0';
  const cache =
    process.env['GEOSTREAM_CACHE_DIR'] ??
    (process.getuid?.() === 0
      ? '/var/cache/geostream'
      : path.join(process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'geostream'));
  const libs = process.env['GEOSTREAM_KAFKA_LIBS'] ?? path.join(cache, `kafka-${version}`, 'libs');
  if (!existsSync(libs))
    throw new Error(
      `Kafka jars not found in ${libs}: run \`npm run stack -- up\` once to fetch them`,
    );
  return libs;
}

async function answers(brokers: readonly string[]): Promise<boolean> {
  const admin = new Kafka({
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
