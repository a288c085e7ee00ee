import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
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
  type AlarmIndexWriter,
} from '@geostream/sinks';
import type { AlarmManagerConfig } from '../config';
import { startAlertsConsumer, type AlertsConsumer } from './alerts-consumer';
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
  const consumer: AlertsConsumer = await retryUntilAborted(
    () =>
      startAlertsConsumer({
        kafka,
        topic: config.alertsTopic,
        groupId: config.consumerGroup,
        sessionTimeoutMs: config.sessionTimeoutMs,
        store,
        metrics,
        logger,
        clock,
        maxEventAgeMs: config.notifications.maxEventAgeMs,
        signal,
      }),
    {
      signal,
      onRetry: ({ error, delayMs }) =>
        logger.warn({ err: errorMessage(error), delayMs }, 'alerts topic not readable; retrying'),
    },
  );

  async function health(): Promise<HealthReport> {
    const database = await db
      .raw('select 1')
      .then(() => ({ ok: true }))
      .catch((error: unknown) => ({ ok: false, detail: errorMessage(error) }));
    const kafkaCheck = consumer.isConsuming()
      ? { ok: true }
      : { ok: false, detail: consumer.lastError() ?? 'not consuming yet' };
    const notifierError = notifier.lastError();
    const checks: Record<string, { ok: boolean; detail?: string }> = {
      database,
      kafka: kafkaCheck,
      notifications:
        notifierError === undefined ? { ok: true } : { ok: true, detail: `last: ${notifierError}` },
    };
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
        await consumer
          .stop()
          .catch((error: unknown) =>
            logger.warn({ err: errorMessage(error) }, 'consumer stop failed'),
          );
        await Promise.all([notifier.done, indexer?.done, maintenance.done]);
        sender.close();
        await writer?.close();
        await ops.close();
        await db.destroy();
      })();
      return stopped;
    },
  };
}
