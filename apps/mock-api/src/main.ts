import {
  createLogger,
  exitOnStartupFailure,
  httpSettings,
  logLevel,
  readConfig,
  closeOnSignals,
} from '@geostream/platform';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = readConfig(process.env, (env) => ({
    http: httpSettings(env, 3000),
    logLevel: logLevel(env),
  }));
  const logger = createLogger('mock-api', config.logLevel);
  const app = buildApp();
  await app.listen(config.http);
  logger.info({ url: `http://${config.http.host}:${config.http.port}` }, 'mock-api listening');
  closeOnSignals(() => app.close(), logger);
}

main().catch(exitOnStartupFailure(createLogger('mock-api', 'info')));
