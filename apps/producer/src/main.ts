import {
  buildOpsServer,
  closeOnSignals,
  createKafka,
  createLogger,
  createMetricsRegistry,
  exitOnStartupFailure,
} from '@geostream/platform';
import { readProducerConfig } from './config';
import { startProducer } from './producer';

async function main(): Promise<void> {
  const config = readProducerConfig(process.env);
  const logger = createLogger('producer', config.logLevel);
  const registry = createMetricsRegistry('producer');
  const producer = startProducer(config, {
    kafka: createKafka(config.kafka, logger),
    logger,
    registry,
  });
  const ops = buildOpsServer({ service: 'producer', registry, health: () => producer.health() });
  await ops.listen(config.http);
  logger.info(
    { url: `http://${config.http.host}:${config.http.port}` },
    'producer /health and /metrics listening',
  );
  // Flush first (PRODUCER_FLUSH_TIMEOUT_MS), then the ops server; the signal handler's own
  // deadline leaves room for both.
  closeOnSignals(
    async () => {
      await producer.stop();
      await ops.close();
    },
    logger,
    config.delivery.flushTimeoutMs + 10_000,
  );
}

main().catch(exitOnStartupFailure(createLogger('producer', 'info')));
