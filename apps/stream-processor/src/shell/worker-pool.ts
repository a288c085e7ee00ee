import { Worker } from 'node:worker_threads';
import {
  buildOpsServer,
  createMetricsRegistry,
  type HealthReport,
  type Logger,
} from '@geostream/platform';
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import { combinedHealth } from './combined-health';
import type { FromWorker, ToWorker, WorkerStart } from './worker-messages';

/** How long /health and /metrics wait for a worker's answer. */
const ANSWER_TIMEOUT_MS = 2_000;

export interface WorkerPoolOptions {
  /** The script each worker runs (main.ts, or the bundle built from it). */
  readonly entry: string;
  readonly workers: number;
  readonly logger: Logger;
}

export interface WorkerPool {
  /** /health (the workers' reports combined) and /metrics (summed over the workers). */
  readonly ops: FastifyInstance;
  /** Settles with the first error that made a worker give up, or end unasked. */
  readonly failed: Promise<Error>;
  /** Each worker finishes its batch, checkpoints its partitions and leaves the group. */
  stop(): Promise<void>;
}

type Answer<K extends 'health' | 'metrics'> = Extract<FromWorker, { type: K }>;

/** One worker thread, as the main thread sees it. */
class Member {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  /** Settles when the worker has started (ready) or could not. */
  readonly started: Promise<void>;
  /** Settles when the worker has said it stopped (or has exited). */
  readonly ended: Promise<void>;
  ready = false;
  private readonly waiting = new Map<number, (message: FromWorker) => void>();
  private nextId = 0;

  constructor(
    readonly index: number,
    entry: string,
    logger: Logger,
    onFailure: (error: Error) => void,
  ) {
    const workerData: WorkerStart = { index };
    this.worker = new Worker(entry, { workerData });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    let endedNow: () => void = () => undefined;
    this.ended = new Promise((resolve) => (endedNow = resolve));
    this.started = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            this.ready = true;
            resolve();
            break;
          case 'startFailed':
            reject(new Error(`worker ${index}: ${message.message}`));
            break;
          case 'health':
          case 'metrics':
            this.waiting.get(message.id)?.(message);
            this.waiting.delete(message.id);
            break;
          case 'failed':
            // It stops itself (checkpointing its other partitions) and then says 'stopped'.
            onFailure(new Error(`worker ${index}: ${message.message}`));
            break;
          case 'stopped':
            if (message.error !== undefined)
              logger.error({ worker: index, error: message.error }, 'worker stopped with an error');
            endedNow();
            break;
        }
      });
      this.worker.once('error', (error) => {
        reject(error);
        onFailure(new Error(`worker ${index}: ${error.message}`, { cause: error }));
      });
      void this.exited.then((code) => {
        endedNow();
        reject(new Error(`worker ${index} exited with code ${code} while starting`));
        onFailure(new Error(`worker ${index} exited with code ${code}`));
      });
    });
    this.started.catch(() => undefined); // awaited by startWorkerPool
  }

  /** The worker's answer, or undefined if it gave none within ANSWER_TIMEOUT_MS. */
  ask<K extends 'health' | 'metrics'>(type: K): Promise<Answer<K> | undefined> {
    if (!this.ready) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message as Answer<K>);
      });
      this.post({ type, id } as ToWorker);
    });
  }

  /** Stops a started worker gracefully (one still starting has nothing to save), then ends it. */
  async stop(): Promise<void> {
    if (this.ready) {
      this.post({ type: 'stop' });
      await Promise.race([this.ended, this.exited]);
    }
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}

/**
 * Runs the stream processor as `workers` threads of this process, each a consumer of the group
 * with its own partitions: a thread's JavaScript runs on one core, and a partition's work is
 * independent of the others'. The main thread only serves /health and /metrics and relays
 * stop. Resolves once every worker has started; rejects (stopping the others) if one cannot.
 */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const registry = createMetricsRegistry('stream-processor');
  let resolveFailed: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (resolveFailed = resolve));
  let stopping = false;
  const onFailure = (error: Error) => {
    if (!stopping) resolveFailed(error);
  };
  const members: Member[] = [];
  const startMember = () => {
    const member = new Member(members.length + 1, options.entry, options.logger, onFailure);
    members.push(member);
    return member.started;
  };

  const health = async (): Promise<HealthReport> =>
    combinedHealth(
      (await Promise.all(members.map((m) => m.ask('health')))).map((answer) => answer?.report),
    );

  // Process-wide metrics come from the main thread's registry, each worker's own from it.
  const metrics = async (): Promise<string> => {
    const answers = await Promise.all(members.map((m) => m.ask('metrics')));
    const perWorker = answers.flatMap((answer) => (answer === undefined ? [] : [answer.metrics]));
    return AggregatorRegistry.aggregate([
      await registry.getMetricsAsJSON(),
      ...perWorker,
    ]).metrics();
  };

  const ops = buildOpsServer({
    service: 'stream-processor',
    registry: { contentType: registry.contentType, metrics },
    health,
  });

  async function stop(): Promise<void> {
    stopping = true;
    await Promise.all(members.map((m) => m.stop()));
    await ops.close();
  }

  try {
    // The first worker alone first: it creates the topics and migrates the schema, which the
    // others would otherwise race it to (kafkajs logs a lost CreateTopics race as an error).
    await startMember();
    await Promise.all(Array.from({ length: options.workers - 1 }, startMember));
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  options.logger.info({ workers: options.workers }, 'stream-processor workers started');
  return { ops, failed, stop };
}
