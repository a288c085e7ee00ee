import type { FastifyInstance } from 'fastify';
import knexFactory, { type Knex } from 'knex';
import type { Registry } from 'prom-client';
import {
  buildOpsServer,
  createKafka,
  errorMessage,
  retryUntilAborted,
  type HealthReport,
  type Logger,
} from '@geostream/platform';
import {
  createAlarmIndexWriter,
  createAlarmStore,
  createAppDatabase,
  createNotificationOutbox,
  createSearchOutbox,
  migrateAppSchema,
  readCurrentVersion,
  type AlarmIndexWriter,
} from '@geostream/sinks';
import type { AlarmManagerConfig } from '../config';
import { startAlertsConsumer } from './alerts-consumer';
import { startAlertsTopicFollower } from './alerts-topic-follower';
import { startMaintenance } from './maintenance';
import { createAlarmManagerMetrics } from './metrics';
import { startNotifier } from './notifier';
import { startSearchIndexer, type SearchIndexer } from './search-indexer';
import { createSender } from './senders';

export interface AlarmManagerDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** The wall clock (shelves, the age of events, retry times). */
  readonly clock?: () => number;
}

export interface AlarmManager {
  /** /health and /metrics (not listening: the caller listens). */
  readonly ops: FastifyInstance;
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

/**
 * Composes the alarm-manager: migrates the app schema, then runs four loops that share only
 * PostgreSQL: the alerts consumer (events -> lifecycle, audit, outboxes), the notifier (outbox
 * -> webhooks and e-mail), the search indexer (audit -> Elasticsearch) and the maintenance
 * (shelf expiry, parked events). Each waits out its own dependency's outage.
 */
export async function startAlarmManager(
  config: AlarmManagerConfig,
  deps: AlarmManagerDeps,
): Promise<AlarmManager> {
  const { logger, registry } = deps;
  const clock = deps.clock ?? Date.now;
  const stopping = new AbortController();
  const signal = stopping.signal;
  const metrics = createAlarmManagerMetrics(registry);

  await retryUntilAborted(
    () =>
      migrateAppSchema({
        connectionString: config.database.url,
        schema: config.app.schema,
        role: config.app.role,
      }),
    {
      signal,
      onRetry: ({ error, delayMs }) =>
        logger.warn({ err: errorMessage(error), delayMs }, 'PostgreSQL not ready; retrying'),
    },
  );
  const db: Knex = createAppDatabase({
    connectionString: config.database.url,
    schema: config.app.schema,
    role: config.app.role,
    poolMax: config.database.poolMax,
    applicationName: 'alarm-manager',
  });
  const store = createAlarmStore(db, config.app.schema);

  let writer: AlarmIndexWriter | undefined;
  let indexer: SearchIndexer | undefined;
  if (config.elasticsearch.enabled) {
    const es = config.elasticsearch;
    writer = createAlarmIndexWriter({
      node: es.url,
      ...(es.apiKey !== undefined && { apiKey: es.apiKey }),
      ...(es.caCertificate !== undefined && { caCertificate: es.caCertificate }),
      index: config.alertsIndex,
      logger,
    });
    const w = writer;
    await retryUntilAborted(() => w.ensureIndexTemplate(), {
      signal,
      onRetry: ({ error, delayMs }) =>
        logger.warn({ err: errorMessage(error), delayMs }, 'Elasticsearch not ready; retrying'),
    });
    indexer = startSearchIndexer({
      outbox: createSearchOutbox(db, config.app.schema),
      writer,
      metrics,
      logger,
      pollMs: 1_000,
      signal,
    });
  }

  const sender = createSender({ ...config.notifications, clock });
  const notifier = startNotifier({
    outbox: createNotificationOutbox(db, config.app.schema),
    sender,
    metrics,
    logger,
    clock,
    pollMs: config.notifications.pollMs,
    leaseMs: config.notifications.leaseMs,
    maxAttempts: config.notifications.maxAttempts,
    retry: config.notifications.retry,
    signal,
  });
  const maintenance = startMaintenance({
    store,
    metrics,
    logger,
    clock,
    parkedEventTimeoutMs: config.parkedEventTimeoutMs,
    intervalMs: 5_000,
    signal,
  });

  const kafka = createKafka(config.kafka, logger);
  // The registry is read as the login role: the app role is granted the app schema only.
  const registryDb: Knex = knexFactory({
    client: 'pg',
    connection: {
      connectionString: config.database.url,
      application_name: 'alarm-manager',
      statement_timeout: 10_000,
    } as Knex.PgConnectionConfig,
    pool: { min: 0, max: 1 },
  });
  const follower = await startAlertsTopicFollower({
    configuredTopic: config.alertsTopic,
    currentVersion: () => readCurrentVersion(registryDb, config.readSchema),
    intervalMs: config.alertsTopicFollowMs,
    startConsumer: (topic) =>
      startAlertsConsumer({
        kafka,
        topic,
        groupId: config.consumerGroup,
        sessionTimeoutMs: config.sessionTimeoutMs,
        store,
        metrics,
        logger,
        clock,
        maxEventAgeMs: config.notifications.maxEventAgeMs,
        signal,
      }),
    onSwitch: () => metrics.topicSwitches.inc(),
    logger,
    signal,
  });

  async function health(): Promise<HealthReport> {
    const database = await db
      .raw('select 1')
      .then(() => ({ ok: true }))
      .catch((error: unknown) => ({ ok: false, detail: errorMessage(error) }));
    const consumer = follower.consumer();
    const reading = `reading ${follower.topic()}${
      follower.version() === undefined ? '' : ` (version ${follower.version()})`
    }`;
    const kafkaCheck =
      consumer?.isConsuming() === true
        ? { ok: true, detail: reading }
        : { ok: false, detail: `${reading}: ${consumer?.lastError() ?? 'not consuming yet'}` };
    const registryError = follower.registryError();
    const notifierError = notifier.lastError();
    const checks: Record<string, { ok: boolean; detail?: string }> = {
      database,
      kafka: kafkaCheck,
      notifications:
        notifierError === undefined ? { ok: true } : { ok: true, detail: `last: ${notifierError}` },
    };
    if (config.alertsTopicFollowMs > 0)
      checks['registry'] =
        registryError === undefined
          ? { ok: true }
          : { ok: false, detail: `reprocessing registry not readable: ${registryError}` };
    if (indexer !== undefined) {
      const searchError = indexer.lastError();
      checks['elasticsearch'] =
        searchError === undefined ? { ok: true } : { ok: false, detail: searchError };
    }
    const status = !database.ok
      ? 'down'
      : Object.values(checks).every((check) => check.ok)
        ? 'ok'
        : 'degraded';
    return { status, checks };
  }

  const ops = buildOpsServer({ service: 'alarm-manager', registry, health });
  let stopped: Promise<void> | undefined;
  return {
    ops,
    health,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await follower
          .stop()
          .catch((error: unknown) =>
            logger.warn({ err: errorMessage(error) }, 'consumer stop failed'),
          );
        await Promise.all([notifier.done, indexer?.done, maintenance.done]);
        sender.close();
        await writer?.close();
        await ops.close();
        await db.destroy();
        await registryDb.destroy();
      })();
      return stopped;
    },
  };
}
