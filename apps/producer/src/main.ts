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
    http: httpSettings(env, 9101),
    logLevel: logLevel(env),
  }));
  const logger = createLogger('producer', config.logLevel);
  const ops = buildOpsServer({
    service: 'producer',
    registry: createMetricsRegistry('producer'),
    health: () => ({ status: 'ok', checks: {} }),
  });
  await ops.listen(config.http);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'producer listening');
  closeOnSignals(() => ops.close(), logger);
}

main().catch(exitOnStartupFailure(createLogger('producer', 'info')));
