import { closeOnSignals, createLogger, exitOnStartupFailure } from '@geostream/platform';
import { buildApp } from './app';
import { readMockApiConfig } from './config';

async function main(): Promise<void> {
  const config = readMockApiConfig(process.env);
  const logger = createLogger('mock-api', config.logLevel, config.logFormat);
  const { app, simulator } = buildApp({
    simulation: config.simulation,
    faults: config.faults,
    pageMaxReadings: config.pageMaxReadings,
    logger,
  });
  const url = await app.listen(config.http);
  const counts = Object.fromEntries(
    Object.entries(simulator.site.instruments).map(([type, list]) => [type, list.length]),
  );
  logger.info(
    { url, seed: config.simulation.seed, instruments: counts, faults: config.faults },
    'mock-api listening',
  );
  closeOnSignals(() => app.close(), logger);
}

main().catch(exitOnStartupFailure(createLogger('mock-api', 'info')));
