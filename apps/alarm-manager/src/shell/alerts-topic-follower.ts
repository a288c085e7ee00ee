import { errorMessage, retryUntilAborted, type Logger } from '@geostream/platform';
import type { CurrentVersion } from '@geostream/sinks';
import type { AlertsConsumer } from './alerts-consumer';

export interface AlertsTopicFollowerOptions {
  /** ALERTS_TOPIC: read until the registry names a current version. */
  readonly configuredTopic: string;
  /** The registry's current version; undefined when there is no registry or no version yet. */
  readonly currentVersion: () => Promise<CurrentVersion | undefined>;
  /** How often the registry is asked; 0: never (the configured topic, always). */
  readonly intervalMs: number;
  /** Starts a consumer of one topic (one attempt: the follower retries). */
  readonly startConsumer: (topic: string) => Promise<AlertsConsumer>;
  /** Called after each switch to another topic. */
  readonly onSwitch?: (topic: string) => void;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export interface AlertsTopicFollower {
  /** The topic read (or being started). */
  topic(): string;
  /** The registry's version that topic belongs to; undefined: the configured topic. */
  version(): string | undefined;
  /** The consumer of that topic; undefined while it is being started. */
  consumer(): AlertsConsumer | undefined;
  /** Why the registry could not be read the last time it was asked; undefined when it could. */
  registryError(): string | undefined;
  stop(): Promise<void>;
}

/**
 * After a Kappa switch-over (tools/reprocess) the processors of the current version write their
 * alarm events to that version's alerts topic; the previous version's processors are stopped
 * once nobody wants a rollback, and an alarm-manager still reading their topic would then see
 * nothing: no alarm would reach anyone, and nothing would say so. So the alerts topic read is the
 * one the registry names: asked at start (a manager started after a switch reads the current
 * version's topic) and every `intervalMs`, and on a change the consumer is stopped and one of the
 * new topic started, in the same consumer group. A new topic is read from its beginning: events
 * older than their point's last applied one are recorded, not applied (see the README). A
 * registry that cannot be read keeps the topic read, and says why in `registryError` (health).
 */
export async function startAlertsTopicFollower(
  options: AlertsTopicFollowerOptions,
): Promise<AlertsTopicFollower> {
  const log = options.logger.child({ component: 'alerts-topic-follower' });
  const stopping = new AbortController();
  const signal = AbortSignal.any([options.signal, stopping.signal]);
  let topic = options.configuredTopic;
  let version: string | undefined;
  let consumer: AlertsConsumer | undefined;
  let registryError: string | undefined;

  /** The current version, undefined when there is none, null when the registry is unreadable. */
  async function ask(): Promise<CurrentVersion | undefined | null> {
    try {
      const current = await options.currentVersion();
      if (registryError !== undefined) log.info({ topic }, 'reprocessing registry readable again');
      registryError = undefined;
      return current;
    } catch (error) {
      const message = errorMessage(error);
      if (message !== registryError)
        log.error(
          { err: message, topic },
          'reprocessing registry not readable; the alerts topic read stays as it is',
        );
      registryError = message;
      return null;
    }
  }

  async function start(): Promise<void> {
    const wanted = topic;
    consumer = await retryUntilAborted(() => options.startConsumer(wanted), {
      signal,
      onRetry: ({ error, delayMs }) =>
        log.warn(
          { topic: wanted, err: errorMessage(error), delayMs },
          'alerts topic not readable; retrying',
        ),
    });
  }

  async function follow(): Promise<void> {
    const current = await ask();
    // No version (yet, or the registry gone): the topic read stays, as the dashboard's live feed.
    if (current === undefined || current === null || signal.aborted) return;
    if (current.alertsTopic === topic) {
      version = current.version;
      return;
    }
    log.info(
      { from: topic, to: current.alertsTopic, version: current.version },
      'the current version changed: reading its alerts topic',
    );
    const old = consumer;
    consumer = undefined;
    await old?.stop();
    topic = current.alertsTopic;
    version = current.version;
    await start();
    options.onSwitch?.(topic);
  }

  if (options.intervalMs > 0) {
    const current = await ask();
    if (current !== undefined && current !== null) {
      topic = current.alertsTopic;
      version = current.version;
    }
  }
  await start();
  log.info({ topic, version, followEveryMs: options.intervalMs }, 'reading alarm events');

  let chain: Promise<void> = Promise.resolve();
  const timer =
    options.intervalMs > 0
      ? setInterval(() => {
          chain = chain.then(follow).catch((error: unknown) => {
            if (!signal.aborted)
              log.error({ err: errorMessage(error) }, 'following the registry failed');
          });
        }, options.intervalMs)
      : undefined;
  timer?.unref();

  return {
    topic: () => topic,
    version: () => version,
    consumer: () => consumer,
    registryError: () => registryError,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      stopping.abort();
      await chain;
      await consumer?.stop();
    },
  };
}
