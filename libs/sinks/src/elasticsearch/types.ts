import type { InstrumentType, WindowRecord } from '@geostream/instrument-schemas';
import type { Logger, RetryPolicy } from '@geostream/platform';
import type { RejectedDocument } from './bulk-outcome';

export interface ElasticsearchSinkOptions {
  /** e.g. http://127.0.0.1:9200 */
  readonly node: string;
  readonly apiKey?: string;
  /** PEM contents of a private CA. */
  readonly caCertificate?: string;
  /**
   * Indices are `<indexPrefix>-<type>`. Default 'readings'. Tests use their own; Kappa
   * reprocessing uses a versioned one (e.g. 'readings_v2').
   */
  readonly indexPrefix?: string;
  readonly logger?: Logger;
  /** Per HTTP request. Default 30,000. */
  readonly requestTimeoutMs?: number;
  /**
   * Retries of retriable bulk items (429, 5xx, 409) and of whole failed requests inside one
   * writeWindows call, before it gives up with SinkUnavailableError. Default 5 retries,
   * 100 ms to 5 s.
   */
  readonly retry?: Partial<RetryPolicy>;
  /** Documents per bulk request; bigger batches are split. Default 5,000. */
  readonly maxDocumentsPerBulk?: number;
  /**
   * Index settings the template applies. Defaults: 1 shard, the cluster's replicas and refresh
   * (every second while searched, none while idle: see indexSettings).
   */
  readonly numberOfShards?: number;
  readonly numberOfReplicas?: number;
  readonly refreshInterval?: string;
}

/** A window Elasticsearch refused for good: dead-letter it (reason `sink_rejected`). */
export type RejectedWindow = RejectedDocument<WindowRecord>;

export interface ElasticsearchWriteResult {
  /** Documents indexed (created or overwritten). */
  readonly written: number;
  readonly rejected: readonly RejectedWindow[];
}

export interface ElasticsearchSink {
  readonly indexPrefix: string;
  /** `<indexPrefix>-<type>`. */
  indexFor(instrument: InstrumentType): string;
  /** Puts the index template and creates the five indices if absent; idempotent. */
  ensureIndexTemplate(): Promise<void>;
  /**
   * Indexes every record with _id = window id (a replay overwrites). Retriable item failures
   * are retried; permanent ones come back in `rejected`. Throws SinkUnavailableError when
   * Elasticsearch stays unavailable, SinkRejectedError when the request itself is refused.
   */
  writeWindows(records: readonly WindowRecord[]): Promise<ElasticsearchWriteResult>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
