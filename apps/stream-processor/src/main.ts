import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { closeOnSignals, createLogger, exitOnStartupFailure } from '@geostream/platform';
import { readStreamProcessorConfig, type StreamProcessorConfig } from './config';
import { startStreamProcessor } from './shell/stream-processor';
import type { WorkerStart } from './shell/worker-messages';
import { startWorkerPool } from './shell/worker-pool';
import { runProcessorWorker } from './shell/worker-thread';

async function main(): Promise<void> {
  const config = readStreamProcessorConfig(process.env);
  const logger = createLogger('stream-processor', config.logLevel, config.logFormat);
  if (!isMainThread && parentPort) {
    const { index } = workerData as WorkerStart;
    return runProcessorWorker(config, index, parentPort, logger.child({ worker: index }));
  }
  // One worker: the processor runs on the main thread, as it always did.
  const processor =
    config.workers === 1
      ? await startStreamProcessor(config, { logger })
      : await startWorkerPool({ entry: __filename, workers: config.workers, logger });
  await processor.ops.listen(config.http);
  logger.info(
    {
      url: `http://${config.http.host}:${config.http.port}`,
      group: config.consumerGroup,
      topic: config.topics.raw,
      workers: config.workers,
      elasticsearch: config.elasticsearch.enabled,
    },
    'stream-processor listening',
  );
  stopOnSignalsOrFailure(processor, config, logger);
}

function stopOnSignalsOrFailure(
  processor: { readonly failed: Promise<Error>; stop(): Promise<void> },
  config: StreamProcessorConfig,
  logger: ReturnType<typeof createLogger>,
): void {
  // Graceful stop needs its own deadline plus time to close; closeOnSignals enforces the sum.
  closeOnSignals(() => processor.stop(), logger, config.consumer.shutdownTimeoutMs + 10_000);
  void processor.failed.then(async (error) => {
    logger.fatal({ err: error }, 'stream-processor cannot continue; exiting');
    await processor.stop().catch(() => undefined);
    process.exit(1);
  });
}

main().catch(exitOnStartupFailure(createLogger('stream-processor', 'info')));
