import { closeOnSignals, createLogger, exitOnStartupFailure } from '@geostream/platform';
import { readStreamProcessorConfig } from './config';
import { startStreamProcessor } from './shell/stream-processor';

async function main(): Promise<void> {
  const config = readStreamProcessorConfig(process.env);
  const logger = createLogger('stream-processor', config.logLevel, config.logFormat);
  const processor = await startStreamProcessor(config, { logger });
  await processor.ops.listen(config.http);
  logger.info(
    {
      url: `http://${config.http.host}:${config.http.port}`,
      group: config.consumerGroup,
      topic: config.topics.raw,
      elasticsearch: config.elasticsearch.enabled,
    },
    'stream-processor listening',
  );
  // Graceful stop needs its own deadline plus time to close; closeOnSignals enforces the sum.
  closeOnSignals(() => processor.stop(), logger, config.consumer.shutdownTimeoutMs + 10_000);
  void processor.failed.then(async () => {
    await processor.stop().catch(() => undefined);
    process.exit(1);
  });
}

main().catch(exitOnStartupFailure(createLogger('stream-processor', 'info')));
