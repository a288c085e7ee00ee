import { errorMessage, GeostreamError, retry, type Logger } from '@geostream/platform';
import type { StateRecord } from '../state/cursor-state';
import type {
  KafkaPort,
  OpenTransaction,
  PartitionOffset,
  TransactionalSession,
} from './kafka-port';
import type { OutgoingMessage } from '../messages/outgoing-message';
import type { MessageQueue } from './message-queue';

/**
 * Moves the buffered messages to Kafka, each exactly once, in order.
 *
 * Each batch from the head of the queue goes out in one Kafka transaction and leaves the queue
 * only when the commit is acknowledged. Consumers read with read_committed, so an attempt that
 * fails is never seen:
 * - a failure before commit (send, broker down, fenced): the transaction is aborted, or left
 *   for the next session to abort; the batch is sent again in a new transaction;
 * - a failed commit has an unknown outcome (the request may have reached the coordinator before
 *   the connection dropped). The session is discarded; the next session's registration settles
 *   the old transaction for good (committed or aborted); then the first message's offset is read
 *   back with read_committed: visible means committed (drop the batch), invisible means aborted
 *   (send it again). Nothing is sent until that question is answered.
 * Every failure is retried with backoff, forever: the sender never gives up on a fetched reading
 * while the process lives. Back-pressure upstream keeps the queue bounded meanwhile.
 *
 * Transactions never overlap on the coordinator: Kafka acknowledges a commit before it has
 * written the commit markers, and refuses the next transaction's first send while it writes
 * them. So after a commit, the next transaction waits until the previous one is complete on the
 * partitions it wrote (`awaitCompletion`) before it sends.
 */
export interface SenderOptions {
  readonly maxBatchMessages: number;
  readonly maxBatchBytes: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /**
   * Run once, after the first session has registered (so the previous instance is fenced and
   * its last transaction settled) and before anything is sent: the producer reads its cursors
   * here. A failure is retried like any Kafka failure.
   */
  readonly restore?: () => Promise<void>;
  /**
   * Run after every later registration (a new session after a failure), before anything is
   * sent: the producer checks that the state topic still holds what this instance committed
   * (`pendingState`: a batch whose commit outcome is not known yet may be there too). Throws
   * `SupersededError` when another instance with the same transactional id has committed since.
   */
  readonly checkOwnership?: (pendingState: readonly StateRecord[]) => Promise<void>;
}

/**
 * Another producer with the same transactional id committed since this one's last commit: it
 * is the live one (its cursors moved on), and this one must stop, or both would page on from
 * their own cursors and duplicate readings. Never retried.
 */
export class SupersededError extends GeostreamError {
  constructor(details: Readonly<Record<string, unknown>>) {
    super(
      'PRODUCER_SUPERSEDED',
      'another producer with the same PRODUCER_TRANSACTIONAL_ID committed since this one did: stopping',
      { details },
    );
  }
}

/**
 * The state topic still answers a cursor this instance committed before its latest (the last
 * commit not readable yet, as right after a broker restart): retried, not a takeover.
 */
export class StateNotReadableYetError extends GeostreamError {
  constructor(details: Readonly<Record<string, unknown>>) {
    super(
      'PRODUCER_STATE_NOT_READABLE_YET',
      "the state topic does not show this producer's last commit yet: checking again",
      { details, retriable: true },
    );
  }
}

export type TransactionOutcome =
  'committed' | 'aborted' | 'unknown' | 'verified_committed' | 'verified_aborted';

export interface SenderEvents {
  transaction(outcome: TransactionOutcome, messages: number, durationMs: number): void;
  /** The state records of a batch now known committed (committed, or verified so). */
  committedState?(state: readonly StateRecord[]): void;
  /** The sender stopped for good (superseded); nothing more is sent. */
  fatal?(error: SupersededError): void;
  failure(stage: FailureStage, error: unknown, attempt: number): void;
}

export type FailureStage = 'connect' | 'restore' | 'send' | 'commit' | 'verify';

export interface SenderStatus {
  /** True after the last Kafka interaction succeeded, false after one failed. */
  readonly kafkaReachable: boolean;
  readonly lastError: string | undefined;
}

export interface StopReport {
  /** Messages still buffered (never acknowledged) when the sender stopped. */
  readonly unflushed: number;
  /** Messages in a transaction whose outcome was still unknown when the sender stopped. */
  readonly unresolved: number;
}

class StageError extends Error {
  constructor(
    readonly stage: FailureStage,
    readonly original: unknown,
  ) {
    super(`${stage} failed: ${errorMessage(original)}`, { cause: original });
  }
}

interface PendingCommit {
  readonly count: number;
  readonly state: readonly StateRecord[];
  readonly probe: { topic: string; partition: number; offset: string };
}

/**
 * The longest the sender waits for each of its two closing steps in `stop()` (closing the
 * session, then the loop's last kafkajs call); the shutdown budget in main.ts counts both.
 */
export const CLOSE_TIMEOUT_MS = 5_000;

export class TransactionalSender {
  private session: TransactionalSession | undefined;
  private topicReady = false;
  private restored = false;
  private superseded: SupersededError | undefined;
  private pending: PendingCommit | undefined;
  /** Where the last commit of this session wrote, until that transaction is known complete. */
  private completing: PartitionOffset[] | undefined;
  private kafkaReachable = false;
  private lastError: string | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly queue: MessageQueue,
    private readonly kafka: KafkaPort,
    private readonly options: SenderOptions,
    private readonly events: SenderEvents,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Call after pushing to the queue: wakes an idle sender. */
  notify(): void {
    this.wake?.();
  }

  status(): SenderStatus {
    return {
      kafkaReachable: this.kafkaReachable,
      lastError: this.lastError,
    };
  }

  /**
   * Sends what is buffered, then stops; gives up after `timeoutMs` (Kafka still down), leaving
   * the rest counted in the report. Push nothing more once this is called.
   */
  async stop(timeoutMs: number): Promise<StopReport> {
    this.stopping = true;
    this.notify();
    const loop = this.loop ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([loop, deadline]);
    clearTimeout(timer);
    this.abort.abort(new Error('producer stopping'));
    await this.closeSession();
    // Closing the session fails whatever kafkajs call is in flight; do not wait on it for ever.
    await withTimeout(loop, CLOSE_TIMEOUT_MS).catch(() => undefined);
    return { unflushed: this.queue.size, unresolved: this.pending?.count ?? 0 };
  }

  private async run(): Promise<void> {
    for (;;) {
      // Work to do: buffered messages, a commit to settle, or the first registration (which
      // creates the topic and fences a previous instance's leftover transaction at start-up).
      if (this.queue.size === 0 && this.pending === undefined && this.topicReady && this.restored) {
        if (this.stopping) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await retry(() => this.step(), {
          retries: Number.POSITIVE_INFINITY,
          initialDelayMs: this.options.initialRetryDelayMs,
          maxDelayMs: this.options.maxRetryDelayMs,
          shouldRetry: (error) => !(error instanceof SupersededError),
          signal: this.abort.signal,
          onRetry: ({ attempt, delayMs, error }) => this.onFailure(error, attempt, delayMs),
        });
      } catch (error) {
        if (this.abort.signal.aborted) break;
        if (error instanceof SupersededError) {
          this.superseded = error;
          this.lastError = error.message;
          this.events.fatal?.(error);
          break;
        }
        // retry() only throws when aborted; anything else is a bug worth seeing, then go on.
        this.logger.error({ err: error }, 'sender loop error');
      }
    }
    await this.closeSession();
  }

  /** One batch, start to finish. Throws a StageError; the caller retries with backoff. */
  private async step(): Promise<void> {
    const fresh = this.session === undefined;
    const transaction = await this.openTransaction();
    // A later registration (the first one restores instead): is this instance still the owner?
    if (fresh && this.restored && this.options.checkOwnership) {
      const check = this.options.checkOwnership;
      const pendingState = this.pending?.state ?? [];
      try {
        await check(pendingState);
      } catch (error) {
        if (error instanceof SupersededError) {
          await this.closeSession();
          throw error;
        }
        await this.closeSession();
        throw new StageError('restore', error);
      }
    }
    if (!this.restored) {
      const restore = this.options.restore;
      if (restore) await this.stage('restore', restore);
      this.restored = true;
    }
    if (this.pending !== undefined) await this.settlePending();
    const { messages: batch, state } = this.queue.peekBatch(
      this.options.maxBatchMessages,
      this.options.maxBatchBytes,
    );
    if (batch.length === 0) {
      await this.stage('commit', () => transaction.commit()); // empty: no request goes out
      return;
    }
    const started = this.now();
    const offsets: PartitionOffset[] = [];
    try {
      // An atomic response may exceed one produce request's bounds: several sends, one transaction.
      const parts = slices(batch, this.options.maxBatchMessages, this.options.maxBatchBytes);
      for (const [i, part] of parts.entries()) {
        offsets.push(...(await transaction.send(part, i === parts.length - 1 ? state : [])));
      }
    } catch (error) {
      await this.abandon(transaction);
      this.events.transaction('aborted', batch.length, this.now() - started);
      throw new StageError('send', error);
    }
    try {
      await transaction.commit();
    } catch (error) {
      const first = offsets[0];
      if (first === undefined) throw new StageError('commit', error); // nothing was written
      this.pending = {
        count: batch.length,
        state,
        probe: { topic: first.topic, partition: first.partition, offset: first.baseOffset },
      };
      this.events.transaction('unknown', batch.length, this.now() - started);
      await this.closeSession();
      throw new StageError('commit', error);
    }
    this.completing = offsets;
    this.queue.drop(batch.length);
    if (state.length > 0) this.events.committedState?.(state);
    this.kafkaReachable = true;
    this.lastError = undefined;
    this.events.transaction('committed', batch.length, this.now() - started);
  }

  private async openTransaction(): Promise<OpenTransaction> {
    return this.stage('connect', async () => {
      if (!this.topicReady) {
        await this.kafka.ensureTopic();
        this.topicReady = true;
      }
      this.session ??= await this.kafka.openSession();
      const written = this.completing;
      if (written !== undefined) {
        await this.session.awaitCompletion(written);
        this.completing = undefined;
      }
      const transaction = await this.session.begin();
      this.kafkaReachable = true;
      return transaction;
    });
  }

  /** The transaction left by a failed commit is settled now (begin() registered anew): ask the log. */
  private async settlePending(): Promise<void> {
    const pending = this.pending as PendingCommit;
    const started = this.now();
    const committed = await this.stage('verify', () => this.kafka.wasCommitted(pending.probe));
    this.pending = undefined;
    if (committed) {
      this.queue.drop(pending.count);
      if (pending.state.length > 0) this.events.committedState?.(pending.state);
    }
    this.events.transaction(
      committed ? 'verified_committed' : 'verified_aborted',
      pending.count,
      this.now() - started,
    );
    this.logger.warn(
      { messages: pending.count, committed, probe: pending.probe },
      committed
        ? 'a commit whose reply was lost had succeeded: not sending that batch again'
        : 'a commit whose reply was lost had not happened: sending that batch again',
    );
  }

  private async stage<T>(stage: FailureStage, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StageError) throw error;
      await this.closeSession();
      throw new StageError(stage, error);
    }
  }

  /** Abort what can be aborted, then discard the session: the next one fences it for good. */
  private async abandon(transaction: OpenTransaction): Promise<void> {
    await withTimeout(transaction.abort(), CLOSE_TIMEOUT_MS).catch(() => undefined);
    await this.closeSession();
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    // A new session's registration waits for the old one's last transaction itself.
    this.completing = undefined;
    if (session) await withTimeout(session.close(), CLOSE_TIMEOUT_MS).catch(() => undefined);
  }

  private onFailure(error: unknown, attempt: number, delayMs: number): void {
    const stage = error instanceof StageError ? error.stage : 'send';
    const original = error instanceof StageError ? error.original : error;
    this.kafkaReachable = false;
    this.lastError = `${stage}: ${errorMessage(original)}`;
    this.events.failure(stage, original, attempt);
    this.logger.warn(
      { stage, attempt, retryInMs: delayMs, buffered: this.queue.size, err: original },
      'Kafka delivery failed; the batch stays buffered and will be retried',
    );
  }
}

/** Consecutive runs of at most `maxCount` messages and `maxBytes` bytes (at least one each). */
export function slices(
  messages: readonly OutgoingMessage[],
  maxCount: number,
  maxBytes: number,
): OutgoingMessage[][] {
  const parts: OutgoingMessage[][] = [];
  let part: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (part.length > 0 && (part.length >= maxCount || bytes + message.bytes > maxBytes)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(message);
    bytes += message.bytes;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
