import {
  closeOnSignals,
  createLogger,
  createMetricsRegistry,
  exitOnStartupFailure,
} from '@geostream/platform';
import { readAlarmManagerConfig } from './config';
import { startAlarmManager } from './shell/alarm-manager';

async function main(): Promise<void> {
  const config = readAlarmManagerConfig(process.env);
  const logger = createLogger('alarm-manager', config.logLevel);
  const manager = await startAlarmManager(config, {
    logger,
    registry: createMetricsRegistry('alarm-manager'),
  });
  await manager.ops.listen(config.http);
  logger.info(
    {
      url: `http://${config.http.host}:${config.http.port}`,
      alertsTopic: config.alertsTopic,
      readSchema: config.alertsTopicFollowMs > 0 ? config.readSchema : undefined,
      group: config.consumerGroup,
      schema: config.app.schema,
      email: config.notifications.smtpUrl !== undefined,
      elasticsearch: config.elasticsearch.enabled,
    },
    'alarm-manager listening',
  );
  // Sends in flight finish (each bounded by NOTIFY_TIMEOUT_MS) before the pools close.
  closeOnSignals(() => manager.stop(), logger, config.notifications.timeoutMs + 20_000);
}

main().catch(exitOnStartupFailure(createLogger('alarm-manager', 'info')));
