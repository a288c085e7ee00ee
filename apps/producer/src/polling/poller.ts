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
}

export interface PollerDeps {
  readonly fetch: Fetch;
  readonly now: () => number;
  readonly metrics: ProducerMetrics;
  readonly logger: Logger;
  readonly deliver: (messages: OutgoingMessage[]) => void;
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
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** The outcome of the latest tick, for /health. */
  lastOutcome: PollOutcome | undefined;

  constructor(
    private readonly options: PollerOptions,
    private readonly deps: PollerDeps,
  ) {}

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
    const { metrics } = this.deps;
    const started = this.deps.now();
    const result = await fetchResponse(url, this.options.timeoutMs, this.deps.fetch);
    metrics.pollDuration.observe({ target }, (this.deps.now() - started) / 1000);
    if (result.kind !== 'ok') {
      const kind = apiErrorKind(result);
      metrics.apiErrors.inc({ target, kind });
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
    this.deps.deliver(split.messages);
    if (split.truncated) metrics.truncatedMessages.inc();
    if (split.unparsed) {
      metrics.unparsedResponses.inc({ target });
      metrics.apiErrors.inc({ target, kind: 'garbage' });
      return 'unparsed';
    }
    metrics.readingsFetched.inc({ target }, split.items);
    return 'ok';
  }
}
