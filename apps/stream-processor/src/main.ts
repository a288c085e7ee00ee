import {
  buildOpsServer,
  closeOnSignals,
  createLogger,
  createMetricsRegistry,
  exitOnStartupFailure,
  httpSettings,
  logLevel,
  readConfig,
} from '@geostream/platform';

async function main(): Promise<void> {
  const config = readConfig(process.env, (env) => ({
    http: httpSettings(env, 9102),
    logLevel: logLevel(env),
  }));
  const logger = createLogger('stream-processor', config.logLevel);
  const ops = buildOpsServer({
    service: 'stream-processor',
    registry: createMetricsRegistry('stream-processor'),
    health: () => ({ status: 'ok', checks: {} }),
  });
  await ops.listen(config.http);
  logger.info(
    { url: `http://${config.http.host}:${config.http.port}` },
    'stream-processor listening',
  );
  closeOnSignals(() => ops.close(), logger);
}

main().catch(exitOnStartupFailure(createLogger('stream-processor', 'info')));
