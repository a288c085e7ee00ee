import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { errorMessage, retry, type Logger } from '@geostream/platform';
import type { LiveTopics } from '../config';
import { startKafkaLiveSource, type KafkaLiveSource } from './kafka-live-source';
import type { LiveHub } from './live-hub';
import { currentLiveTopics, sameTopics } from './live-topics-follower';

export interface LiveFeed {
  stop(): Promise<void>;
}

/**
 * The live view's Kafka source, kept running in the background: started (and retried while
 * Kafka or the topics are missing; the page shows the connection state), and moved to the
 * current version's topics when a reprocessing switch-over changes them (checked every
 * `followIntervalMs` in the registry the read schema holds), without a restart.
 */
export function startLiveFeed(options: {
  kafka: Kafka;
  hub: LiveHub;
  logger: Logger;
  db: Knex;
  topics: LiveTopics;
  followIntervalMs: number;
}): LiveFeed {
  const { kafka, hub, logger, db } = options;
  let topics = options.topics;
  let source: KafkaLiveSource | undefined;
  let attempt: AbortController | undefined;
  let stopped = false;

  const begin = (): void => {
    const controller = new AbortController();
    attempt = controller;
    const wanted = topics;
    retry(
      async () => {
        const started = await startKafkaLiveSource({ kafka, topics: wanted, hub, logger });
        if (controller.signal.aborted) await started.stop();
        else source = started;
      },
      {
        retries: Infinity,
        maxDelayMs: 30_000,
        signal: controller.signal,
        // Whatever stops the start (broker down, topics not created yet), trying again later is right.
        shouldRetry: () => true,
        onRetry: ({ error, delayMs }) => {
          hub.setStatus('down');
          logger.warn({ err: errorMessage(error), delayMs }, 'live source not started; retrying');
        },
      },
    ).catch((error: unknown) => {
      if (!controller.signal.aborted) logger.error({ err: error }, 'live source gave up');
    });
  };

  const follow = async (): Promise<void> => {
    const current = await currentLiveTopics(db).catch((error: unknown) => {
      logger.warn(
        { err: errorMessage(error) },
        'reprocessing registry not readable; live topics kept',
      );
      return undefined;
    });
    if (stopped || current === undefined || sameTopics(current.topics, topics)) return;
    logger.info(
      { version: current.version, topics: current.topics },
      'live feed follows the current version',
    );
    topics = current.topics;
    attempt?.abort();
    const old = source;
    source = undefined;
    await old?.stop();
    begin();
  };

  // The registry first (a dashboard started after a switch-over reads the current version's
  // topics), then the configured ones.
  let chain = (async () => {
    const current = await currentLiveTopics(db).catch(() => undefined);
    if (current !== undefined) topics = current.topics;
    if (!stopped) begin();
  })();
  const timer = setInterval(() => {
    chain = chain.then(follow);
  }, options.followIntervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
      attempt?.abort();
      await source?.stop();
    },
  };
}
