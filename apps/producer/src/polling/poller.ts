import { abortableSleep, errorMessage, retry, type Logger } from '@geostream/platform';
import { splitResponse } from '../messages/split-response';
import type { OutgoingMessage } from '../messages/outgoing-message';
import type { ProducerMetrics } from '../metrics';
import { apiErrorKind, fetchResponse, type Fetch } from './fetch-response';
import type { PollTarget } from './poll-targets';

/**
 * Polls one target of the API on a fixed schedule and hands every response's messages to the
 * buffer. API errors, timeouts and garbage are counted and retried with backoff; they never stop
 * the poller. While back-pressure holds, ticks are skipped (and counted) instead.
 */
export interface PollerOptions {
  readonly target: PollTarget;
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Retries of a failed request within one tick. */
  readonly retries: number;
  readonly producerId: string;
  readonly maxMessageBytes: number;
  /** `limit` of a request after a cursor. */
  readonly pageReadings: number;
  /** A larger response body is refused (counted as too_large), never forwarded. */
  readonly maxResponseBytes: number;
  /** Where the last run's committed readings end (from the state topic), if it had a cursor. */
  readonly resumeFrom: string | undefined;
}

export interface PollerDeps {
  readonly fetch: Fetch;
  readonly now: () => number;
  readonly metrics: ProducerMetrics;
  readonly logger: Logger;
  /**
   * Buffers one response's messages; with `cursor`, that cursor is committed in the same
   * transaction as exactly these messages.
   */
  readonly deliver: (messages: OutgoingMessage[], cursor?: string) => void;
  /** False while back-pressure holds polling. */
  readonly mayPoll: () => boolean;
}

export type PollOutcome = 'ok' | 'unparsed' | 'failed' | 'skipped';

class PollError extends Error {
  constructor(readonly kind: string) {
    super(`poll failed: ${kind}`);
  }
}

export class Poller {
  private stopped = false;
  /** Where the next request starts; undefined: ask for the current readings. */
  private cursor: string | undefined;
  /** Whether the API answers with cursors (known after the first successful response). */
  private mode: 'unknown' | 'cursor' | 'legacy' = 'unknown';
  /** The last page was cut by its limit: ask again without waiting. */
  private more = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** The outcome of the latest tick, for /health. */
  lastOutcome: PollOutcome | undefined;

  constructor(
    private readonly options: PollerOptions,
    private readonly deps: PollerDeps,
  ) {
    this.cursor = options.resumeFrom;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops scheduling; a request in flight completes (bounded by its timeout) and is delivered. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('poller stopping'));
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const tick = this.deps.now();
      const outcome = this.deps.mayPoll() ? await this.pollOnce() : 'skipped';
      this.lastOutcome = outcome;
      this.deps.metrics.polls.inc({ target: this.options.target, outcome });
      if (outcome === 'ok' && this.more) continue; // catching up: the next page at once
      const wait = Math.max(0, tick + this.options.intervalMs - this.deps.now());
      await abortableSleep(wait, this.abort.signal).catch(() => undefined);
    }
  }

  private async pollOnce(): Promise<PollOutcome> {
    const { target } = this.options;
    let outcome: PollOutcome = 'failed';
    try {
      await retry(
        async () => {
          outcome = 'failed';
          outcome = await this.attempt();
          if (outcome === 'unparsed') throw new PollError('garbage');
        },
        {
          retries: this.options.retries,
          initialDelayMs: 250,
          maxDelayMs: 2_000,
          shouldRetry: () => !this.stopped && this.deps.mayPoll(),
          signal: this.abort.signal,
          onRetry: ({ attempt, error }) =>
            this.deps.logger.debug({ target, attempt, err: error }, 'retrying the API'),
        },
      );
    } catch (error) {
      this.deps.logger.warn(
        { target, outcome, reason: errorMessage(error) },
        'polling the API failed; the next tick tries again',
      );
    }
    return outcome;
  }

  private async attempt(): Promise<PollOutcome> {
    const { target, url } = this.options;
    const { metrics, logger } = this.deps;
    const started = this.deps.now();
    const requestUrl =
      this.cursor === undefined
        ? url
        : `${url}?since=${encodeURIComponent(this.cursor)}&limit=${this.options.pageReadings}`;
    this.more = false;
    const result = await fetchResponse(
      requestUrl,
      this.options.timeoutMs,
      this.deps.fetch,
      this.options.maxResponseBytes,
    );
    metrics.pollDuration.observe({ target }, (this.deps.now() - started) / 1000);
    if (result.kind !== 'ok') {
      const kind = apiErrorKind(result);
      metrics.apiErrors.inc({ target, kind });
      if (result.kind === 'too_large') {
        logger.error(
          { target, bytes: result.bytes, limit: this.options.maxResponseBytes },
          'refused a response larger than POLL_MAX_RESPONSE_BYTES: nothing of it is forwarded; ' +
            'lower POLL_PAGE_READINGS or raise the limit',
        );
      }
      throw new PollError(kind);
    }
    const split = splitResponse(
      {
        target,
        url,
        body: result.body,
        contentType: result.contentType,
        receivedAtMs: this.deps.now(),
      },
      { producerId: this.options.producerId, maxMessageBytes: this.options.maxMessageBytes },
    );
    if (split.unparsed) {
      // Forwarded for the dead-letter queue, but the cursor stays: the readings are asked again.
      this.deps.deliver(split.messages);
      if (split.truncated) metrics.truncatedMessages.inc();
      metrics.unparsedResponses.inc({ target });
      metrics.apiErrors.inc({ target, kind: 'garbage' });
      return 'unparsed';
    }
    const cursor = result.cursor;
    this.noteMode(cursor !== undefined);
    if (cursor === undefined) {
      this.cursor = undefined;
      this.deps.deliver(split.messages);
    } else {
      if (cursor.gapMs > 0) {
        metrics.sourceGaps.inc({ target }, cursor.gapMs);
        logger.error(
          { target, gapMs: cursor.gapMs, since: this.cursor },
          'readings lost at the source: the API no longer keeps everything after our cursor',
        );
      }
      this.deps.deliver(split.messages, cursor.next);
      this.cursor = cursor.next;
      this.more = cursor.more;
    }
    metrics.readingsFetched.inc({ target }, split.items);
    return 'ok';
  }

  private noteMode(hasCursor: boolean): void {
    const mode = hasCursor ? 'cursor' : 'legacy';
    if (mode === this.mode) return;
    const { target, url } = this.options;
    if (mode === 'legacy') {
      this.deps.logger.warn(
        { target, url },
        'the API answers without a cursor (x-cursor): polling current readings, so readings ' +
          'served while the producer is down, paused or crashed are not fetched again',
      );
    } else if (this.mode === 'legacy') {
      this.deps.logger.info({ target, url }, 'the API now answers with cursors: resumable polling');
    }
    this.mode = mode;
  }
}
