import {
  buildOpsServer,
  closeOnSignals,
  createKafka,
  createLogger,
  createMetricsRegistry,
  exitOnStartupFailure,
} from '@geostream/platform';
import { readProducerConfig } from './config';
import { CLOSE_TIMEOUT_MS } from './delivery/transactional-sender';
import { startProducer } from './producer';

async function main(): Promise<void> {
  const config = readProducerConfig(process.env);
  const logger = createLogger('producer', config.logLevel, config.logFormat);
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
  // Flush first, then the ops server. The signal handler's deadline covers the worst case of
  // producer.stop() with Kafka down, so it ends and logs what was lost instead of being cut
  // short: the pollers' requests in flight (up to POLL_TIMEOUT_MS), the sender's flush (up to
  // PRODUCER_FLUSH_TIMEOUT_MS), then its two closing waits (CLOSE_TIMEOUT_MS each); plus a
  // margin for the log line and the ops server.
  const shutdownBudgetMs =
    config.api.timeoutMs + config.delivery.flushTimeoutMs + 2 * CLOSE_TIMEOUT_MS + 5_000;
  closeOnSignals(
    async () => {
      await producer.stop();
      await ops.close();
    },
    logger,
    shutdownBudgetMs,
  );
  // Superseded by another instance with the same transactional id (logged by the producer): exit
  // non-zero so a supervisor sees it; what this one had fetched is the other's to refetch.
  void producer.failed.then(async () => {
    await ops.close().catch(() => undefined);
    process.exit(1);
  });
}

main().catch(exitOnStartupFailure(createLogger('producer', 'info')));
