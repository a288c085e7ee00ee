import { randomUUID } from 'node:crypto';
import {
  closeOnSignals,
  createKafka,
  createLogger,
  errorMessage,
  exitOnStartupFailure,
  retryUntilAborted,
} from '@geostream/platform';
import { createAppDatabase, createLevelChangeStore, migrateAppSchema } from '@geostream/sinks/app';
import { alarmChannel } from '@geostream/sinks/names';
import { startAlarmListener } from './alarms/alarm-listener';
import { bootstrapAdmin } from './auth/bootstrap-admin';
import { authorizeByRole } from './auth/principal';
import { createUserStore } from './auth/users';
import { buildApp } from './app';
import { readDashboardConfig } from './config';
import { createDatabase, createDrawingsWriter } from './database';
import { locateWebAssets } from './http/static-assets';
import { createLiveHub } from './live/live-hub';
import { startLiveFeed } from './live/live-feed';
import { startLevelPublisher } from './levels/level-publisher';

/** Minimum silence before any instrument counts as stale: window + grace + idle flush, with room. */
const MIN_SILENCE_MS = 120_000;

async function main(): Promise<void> {
  const config = readDashboardConfig(process.env);
  const logger = createLogger('batch-dashboard', config.logLevel, config.logFormat);
  const db = createDatabase(config.database, config.pgSchema, config.readRole);
  const drawings = createDrawingsWriter(config.database, config.pgSchema, config.drawingsRole);
  const hub = createLiveHub({
    instanceId: randomUUID().slice(0, 8),
    initialStatus: config.liveEnabled ? 'connecting' : 'off',
  });

  // Named users and alarms live in the app schema (never versioned): migrated by whichever of
  // the dashboard and the alarm-manager starts first, then used as the app role.
  const { app: appDb } = config.operations;
  const startup = new AbortController();
  await retryUntilAborted(
    () =>
      migrateAppSchema({
        connectionString: config.database.url,
        schema: appDb.schema,
        role: appDb.role,
      }),
    {
      signal: startup.signal,
      onRetry: ({ error, delayMs }) =>
        logger.warn({ err: errorMessage(error), delayMs }, 'app schema not migrated yet; retrying'),
    },
  );
  const operationsDb = createAppDatabase({
    connectionString: config.database.url,
    schema: appDb.schema,
    role: appDb.role,
    poolMax: Math.max(2, Math.floor(config.database.poolMax / 2)),
    applicationName: 'batch-dashboard',
  });
  await bootstrapAdmin(createUserStore(operationsDb), config.operations.firstAdmin, logger);
  // Admins' trigger-level changes go to the raw topic, where the processors read them in order.
  const levelPublisher = startLevelPublisher({
    kafka: createKafka(config.kafka, logger),
    store: createLevelChangeStore(operationsDb, appDb.schema),
    rawTopic: config.rawTopic,
    logger,
  });
  const alarmListener = startAlarmListener({
    connectionString: config.database.url,
    channel: alarmChannel(appDb.schema),
    hub,
    logger,
  });

  const app = await buildApp({
    db,
    drawings,
    live: hub,
    clock: Date.now,
    accessToken: config.accessToken,
    sessionMaxAgeS: config.sessionMaxAgeS,
    trustProxy: config.trustProxy,
    csv: {
      maxRows: config.limits.csvMaxRows,
      maxDurationMs: config.limits.csvMaxDurationMs,
      maxConcurrent: config.limits.csvMaxConcurrent,
    },
    sse: { maxConnections: config.limits.liveMaxConnections },
    staleness: { ...config.staleness, minSilenceMs: MIN_SILENCE_MS },
    siteConfig: config.siteConfig,
    assetsDir: locateWebAssets(__dirname),
    logger,
    authorize: authorizeByRole,
    operations: {
      db: operationsDb,
      schema: appDb.schema,
      sessionMaxAgeS: config.sessionMaxAgeS,
      maxShelveMs: config.operations.maxShelveMs,
      onLevelChange: () => levelPublisher.wake(),
    },
  });

  // The live view is a bonus over the history: the dashboard serves without Kafka, and keeps
  // trying to reach it in the background (the page shows the connection state). After a
  // reprocessing switch-over it follows the current version's topics.
  const liveFeed = config.liveEnabled
    ? startLiveFeed({
        kafka: createKafka(config.kafka, logger),
        hub,
        logger,
        db,
        topics: config.topics,
        followIntervalMs: config.liveFollowIntervalMs,
      })
    : undefined;

  await app.listen({ host: config.http.host, port: config.http.port });
  logger.info(
    {
      url: `http://${config.http.host}:${config.http.port}/dashboard/`,
      schema: config.pgSchema,
      token: config.accessToken !== undefined,
    },
    'batch-dashboard listening',
  );
  closeOnSignals(async () => {
    await app.close();
    await liveFeed?.stop();
    await alarmListener.stop();
    await levelPublisher.stop();
    await db.destroy();
    await drawings.destroy();
    await operationsDb.destroy();
  }, logger);
}

main().catch(exitOnStartupFailure(createLogger('batch-dashboard', 'info')));
