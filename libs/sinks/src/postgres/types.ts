import type { AlarmEvent, InstrumentClock, WindowRecord } from '@geostream/instrument-schemas';
import type { Logger } from '@geostream/platform';

/** How window and alert rows are sent: see README, "unnest or VALUES". */
export type UpsertStrategy = 'unnest' | 'values';

export interface PostgresSinkOptions {
  /** postgres:// URL; TLS through libpq-style parameters (sslmode, sslrootcert, ...). */
  readonly connectionString: string;
  /**
   * The schema holding every table (created if absent). Tests isolate themselves with their
   * own; Kappa reprocessing writes a versioned one (e.g. geostream_v2). Default 'public'.
   */
  readonly schema?: string;
  /**
   * The read-only role migrate() creates (if absent) and grants read access to the schema: what
   * the dashboard uses. A lower-case identifier. Default 'geostream_reader'.
   */
  readonly readRole?: string;
  /**
   * The role migrate() creates (if absent) and grants SELECT, INSERT, UPDATE and DELETE on
   * plan_underlay alone: what the dashboard stores site drawings as. A lower-case identifier.
   * Default 'geostream_drawings_writer'.
   */
  readonly drawingsRole?: string;
  /** Pool size; at least 2 (migrate() holds a lock on one connection). Default 10. */
  readonly poolMax?: number;
  readonly logger?: Logger;
  /** Give up connecting after this long (then SinkUnavailableError). Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Give up waiting for a pooled connection after this long. Default 10,000. */
  readonly acquireTimeoutMs?: number;
  /** Server- and client-side statement timeout. Default 30,000. */
  readonly statementTimeoutMs?: number;
  /** Default 'unnest' (one statement per chunk whatever its size; fastest, see README). */
  readonly upsertStrategy?: UpsertStrategy;
  /** Rows per statement; 'values' is also capped by the 65,535 bind-parameter limit. Default 5,000. */
  readonly maxRowsPerStatement?: number;
}

/**
 * One input partition's restart point: the next offset to read and the processor's state after
 * everything before it: the partition's own part (`state`) and, incrementally, its instruments'
 * (`instruments`: only those that changed since the last checkpoint, and those to forget).
 * Written in one transaction, after every output it covers, so any checkpoint is a valid place
 * to replay from.
 */
export interface PartitionCheckpoint {
  readonly consumerGroup: string;
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset (int64) as a decimal string, as kafkajs gives it. */
  readonly nextOffset: string;
  /**
   * The next_offset of the stored checkpoint this one follows, as its writer last read or wrote
   * it (null: there was none). Given, the write is refused with CheckpointSupersededError when
   * the stored row is at neither that offset nor this one's (another writer moved it on: an
   * incremental checkpoint's instrument rows must not land over a newer one's). Absent: no check.
   */
  readonly follows?: string | null;
  /** Plain JSON (stored as jsonb: key order is not kept, values are). */
  readonly state: unknown;
  /** Instrument rows to write (last wins by key) and to delete; absent: none change. */
  readonly instruments?: {
    readonly upserts: readonly InstrumentCheckpoint[];
    readonly deletes: readonly string[];
  };
}

/** One instrument's part of a partition checkpoint (plain JSON). */
export interface InstrumentCheckpoint {
  readonly key: string;
  readonly state: unknown;
}

export interface StoredCheckpoint extends Omit<PartitionCheckpoint, 'instruments'> {
  /** When the partition row was written (ISO-8601 UTC), by the database clock. */
  readonly updatedAt: string;
  /** Every instrument row of the partition, ascending by key. */
  readonly instruments: readonly InstrumentCheckpoint[];
}

export interface PostgresBatch {
  readonly windows?: readonly WindowRecord[];
  /**
   * The instrument's clock when each window closed, by window id: the instrument_state row of an
   * instrument's latest window carries it. A window without one leaves the clock 'ok', unknown.
   */
  readonly clocks?: ReadonlyMap<string, InstrumentClock>;
  readonly alerts?: readonly AlarmEvent[];
  readonly checkpoints?: readonly PartitionCheckpoint[];
}

/** Rows sent after de-duplication (a replayed row counts: it was overwritten). */
export interface PostgresWriteResult {
  readonly windows: number;
  readonly alerts: number;
  readonly instrumentStates: number;
  readonly checkpoints: number;
  /** Instrument checkpoint rows written and deleted. */
  readonly instrumentCheckpoints: number;
}

export interface MigrationResult {
  readonly schema: string;
  /** Migrations applied by this call (empty when already up to date). */
  readonly applied: readonly string[];
}

export interface PostgresSink {
  readonly schema: string;
  /** Creates the schema if absent and applies pending migrations; safe to run concurrently. */
  migrate(): Promise<MigrationResult>;
  /**
   * Upserts windows, alerts, the instruments' latest state and checkpoints in ONE transaction:
   * all or nothing. Keys repeated within the batch are de-duplicated, last wins.
   * Throws SinkUnavailableError (retriable) or SinkRejectedError.
   */
  writeBatch(batch: PostgresBatch): Promise<PostgresWriteResult>;
  loadCheckpoint(
    consumerGroup: string,
    topic: string,
    partition: number,
  ): Promise<StoredCheckpoint | undefined>;
  /** Resolves when the database answers; throws SinkUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
