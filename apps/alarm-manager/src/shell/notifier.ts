import {
  abortableSleep,
  backoffDelay,
  errorMessage,
  type Logger,
  type RetryPolicy,
} from '@geostream/platform';
import type {
  ClaimedNotification,
  NotificationOutbox,
  NotificationOutcome,
} from '@geostream/sinks';
import type { AlarmManagerMetrics } from './metrics';
import type { DeliveryResult, Sender } from './senders';

export interface NotifierOptions {
  readonly outbox: NotificationOutbox;
  readonly sender: Sender;
  readonly metrics: AlarmManagerMetrics;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly random?: () => number;
  readonly pollMs: number;
  readonly leaseMs: number;
  readonly maxAttempts: number;
  readonly retry: RetryPolicy;
  /** Rows claimed (and sent concurrently) at a time. */
  readonly batchSize?: number;
  readonly signal: AbortSignal;
}

export interface Notifier {
  /** The loop; resolves once the signal aborted and the sends in flight are settled. */
  readonly done: Promise<void>;
  lastError(): string | undefined;
}

/**
 * Sends the outbox: claims due rows (a lease of leaseMs each), hands each to its receiver and
 * records the outcome: sent, failing (tried again after the platform's jittered backoff) or
 * failed (refused for good, or maxAttempts reached). At-least-once: a crash after a receiver
 * accepted a notification and before `sent` is recorded resends it when the lease ends, with
 * the same idempotency key and Message-ID.
 */
export function startNotifier(options: NotifierOptions): Notifier {
  const { outbox, sender, metrics, signal } = options;
  const log = options.logger.child({ component: 'notifier' });
  const random = options.random ?? Math.random;
  let lastError: string | undefined;

  function outcomeOf(n: ClaimedNotification, result: DeliveryResult): NotificationOutcome {
    if (result.delivered) return { sent: true };
    const again = result.retriable && n.attempt < options.maxAttempts;
    return {
      sent: false,
      error: result.error,
      retryAt: again
        ? new Date(options.clock() + backoffDelay(n.attempt - 1, options.retry, random))
        : null,
    };
  }

  async function handle(n: ClaimedNotification): Promise<void> {
    const result: DeliveryResult = n.routeEnabled
      ? await sender.deliver(n)
      : { delivered: false, retriable: false, error: 'the route was deleted or disabled' };
    const outcome = outcomeOf(n, result);
    const label = outcome.sent ? 'sent' : outcome.retryAt === null ? 'failed' : 'failing';
    metrics.notifications.inc({ channel: n.channel, outcome: label });
    if (!outcome.sent) {
      lastError = `${n.routeName}: ${outcome.error}`;
      log.warn(
        { id: n.id, route: n.routeName, attempt: n.attempt, err: outcome.error, outcome: label },
        'notification not delivered',
      );
    }
    await outbox.settle(n.id, outcome);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let claimed: ClaimedNotification[];
      try {
        claimed = await outbox.claimDue(options.batchSize ?? 10, options.leaseMs);
        failures = 0;
      } catch (error) {
        lastError = errorMessage(error);
        log.warn({ err: lastError }, 'cannot read the notification outbox; retrying');
        const delay = backoffDelay(failures++, { ...options.retry, retries: Infinity }, random);
        await abortableSleep(Math.max(delay, options.pollMs), signal).catch(() => undefined);
        continue;
      }
      if (claimed.length === 0) {
        await abortableSleep(options.pollMs, signal).catch(() => undefined);
        continue;
      }
      // A settle that fails leaves the row claimed: its lease ends and it is sent again.
      await Promise.all(
        claimed.map((n) =>
          handle(n).catch((error: unknown) => {
            lastError = errorMessage(error);
            log.error({ id: n.id, err: lastError }, 'notification outcome not recorded');
          }),
        ),
      );
    }
  }

  return { done: loop(), lastError: () => lastError };
}
