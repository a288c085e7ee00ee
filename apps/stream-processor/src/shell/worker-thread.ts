import type { MessagePort } from 'node:worker_threads';
import { errorMessage, type Logger } from '@geostream/platform';
import { Registry } from 'prom-client';
import type { StreamProcessorConfig } from '../config';
import { registerWorkerHeapMetrics } from './metrics';
import { startStreamProcessor, type StreamProcessor } from './stream-processor';
import type { FromWorker, ToWorker } from './worker-messages';

/**
 * One worker thread of the processor: a whole stream processor (its own consumer in the group,
 * its own sinks and connections) that answers the main thread's /health and /metrics questions
 * and stops when told. It never listens on a port nor handles signals: the main thread does.
 */
export async function runProcessorWorker(
  config: StreamProcessorConfig,
  worker: number,
  port: MessagePort,
  logger: Logger,
): Promise<void> {
  const send = (message: FromWorker) => port.postMessage(message);
  // Process-wide metrics (CPU, memory, handles) are the main thread's: a worker's registry has
  // only its own, or the sum over workers would count the process several times.
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'stream-processor' });
  registerWorkerHeapMetrics(registry, worker);
  let started: StreamProcessor;
  try {
    started = await startStreamProcessor(config, { logger, registry });
  } catch (error) {
    send({ type: 'startFailed', message: errorMessage(error) });
    return;
  }
  // Stopped once, whoever asks first (the main thread, or this worker's own failure); the main
  // thread ends the thread (worker.terminate) once it has heard 'stopped'.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= started.stop().then(
      () => send({ type: 'stopped' }),
      (error: unknown) => send({ type: 'stopped', error: errorMessage(error) }),
    ));

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'health':
        send({ type: 'health', id: message.id, report: started.health() });
        break;
      case 'metrics':
        void registry
          .getMetricsAsJSON()
          .then((metrics) => send({ type: 'metrics', id: message.id, metrics }));
        break;
      case 'stop':
        void stop();
        break;
    }
  });
  void started.failed.then((error) => {
    send({ type: 'failed', message: error.message });
    void stop();
  });
  send({ type: 'ready' });
}
