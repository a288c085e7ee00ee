import type { HealthReport } from '@geostream/platform';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/**
 * What the main thread and the processor's worker threads say to each other (worker-pool.ts,
 * worker-thread.ts): the one definition both sides import.
 */
export type ToWorker =
  | { readonly type: 'health'; readonly id: number }
  | { readonly type: 'metrics'; readonly id: number }
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  /** Start-up failed (a service never came, a bad checkpoint): the process gives up. */
  | { readonly type: 'startFailed'; readonly message: string }
  | { readonly type: 'health'; readonly id: number; readonly report: HealthReport }
  | {
      readonly type: 'metrics';
      readonly id: number;
      readonly metrics: MetricObjectWithValues<MetricValue<string>>[];
    }
  /** The processor gave up (processor.failed): the whole process stops and exits non-zero. */
  | { readonly type: 'failed'; readonly message: string }
  /** Stopped: its partitions checkpointed and the group left (unless `error` says why not). */
  | { readonly type: 'stopped'; readonly error?: string };

/** What a worker thread is started with (workerData). */
export interface WorkerStart {
  /** 1-based: how the worker is named in logs and /health. */
  readonly index: number;
}
