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
    http: httpSettings(env, 8000),
    logLevel: logLevel(env),
  }));
  const logger = createLogger('batch-dashboard', config.logLevel);
  const ops = buildOpsServer({
    service: 'batch-dashboard',
    registry: createMetricsRegistry('batch-dashboard'),
    health: () => ({ status: 'ok', checks: {} }),
  });
  await ops.listen(config.http);
  logger.info(
    { url: `http://${config.http.host}:${config.http.port}` },
    'batch-dashboard listening',
  );
  closeOnSignals(() => ops.close(), logger);
}

main().catch(exitOnStartupFailure(createLogger('batch-dashboard', 'info')));
