import { DependencyError, GeostreamError } from '@geostream/platform';

/** Which sink raised an error; also `details.dependency` of every sink error. */
export type SinkName = 'postgres' | 'elasticsearch' | 'kafka';

/** Stable codes callers switch on (never the message). */
export const SINK_ERROR_CODES = {
  /** The service cannot be reached or is overloaded: retrying later may succeed. */
  unavailable: 'SINK_UNAVAILABLE',
  /** The service refused the data or the request: retrying the same thing will fail again. */
  rejected: 'SINK_REJECTED',
  /** The sink was built with options that cannot work. */
  invalidOptions: 'SINK_INVALID_OPTIONS',
  /** The sink was used after close(). */
  closed: 'SINK_CLOSED',
  /** Another writer moved a partition's checkpoint on since this writer read or wrote it. */
  checkpointSuperseded: 'SINK_CHECKPOINT_SUPERSEDED',
} as const;

export type SinkErrorCode = (typeof SINK_ERROR_CODES)[keyof typeof SINK_ERROR_CODES];

export interface SinkErrorContext {
  readonly sink: SinkName;
  /** What the sink was doing, e.g. 'writeBatch', 'ensureIndexTemplate'. */
  readonly operation: string;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

function describe(context: SinkErrorContext, what: string): string {
  const cause = context.cause instanceof Error ? `: ${context.cause.message}` : '';
  return `${context.sink} sink ${what} during ${context.operation}${cause}`;
}

/**
 * The service is unreachable, timed out, or shed load (connection refused or reset, 5xx, 429).
 * Retriable: the processor pauses the partition and retries with backoff until it recovers.
 */
export class SinkUnavailableError extends DependencyError {
  constructor(context: SinkErrorContext) {
    super(SINK_ERROR_CODES.unavailable, describe(context, 'unavailable'), {
      retriable: true,
      cause: context.cause,
      dependency: context.sink,
      details: { ...context.details, sink: context.sink, operation: context.operation },
    });
  }
}

/**
 * The service refused the request for good (a constraint or mapping violation, bad
 * credentials, a malformed request). Not retriable: the same request fails again.
 */
export class SinkRejectedError extends DependencyError {
  constructor(context: SinkErrorContext) {
    super(SINK_ERROR_CODES.rejected, describe(context, 'rejected the request'), {
      retriable: false,
      cause: context.cause,
      dependency: context.sink,
      details: { ...context.details, sink: context.sink, operation: context.operation },
    });
  }
}

/** Options that cannot work, caught when the sink is built rather than at the first write. */
export class SinkOptionsError extends GeostreamError {
  constructor(sink: SinkName, problems: readonly string[]) {
    super(SINK_ERROR_CODES.invalidOptions, `invalid ${sink} sink options: ${problems.join('; ')}`, {
      details: { sink, problems },
    });
  }
}

/**
 * True when a sink refused particular records for what they hold (a PostgreSQL data or
 * constraint error, a Kafka record too large or invalid): the same records will always be
 * refused, while the others of the batch can be written. Any other refusal (permissions, a
 * missing table or topic, bad credentials) says nothing of the records: retrying, visibly, is
 * right, since refusing every record would turn an outage of configuration into dead letters.
 */
export function isRecordRejection(error: unknown): boolean {
  return (
    error instanceof SinkRejectedError &&
    (error.details as { refusesRecords?: unknown }).refusesRecords === true
  );
}

/** A write after close(): a bug in the caller's shutdown order, never worth retrying. */
export class SinkClosedError extends GeostreamError {
  constructor(sink: SinkName, operation: string) {
    super(SINK_ERROR_CODES.closed, `${sink} sink used after close() (${operation})`, {
      details: { sink, operation },
    });
  }
}

/**
 * A partition's checkpoint is no longer the one this writer follows: another instance wrote
 * one since (this writer is a zombie: the group gave its partition to another). Its instrument
 * rows must not land over the newer ones, so nothing is written. Never retried: the writer
 * drops its state, and reloads the newer checkpoint should the partition still be its own.
 */
export class CheckpointSupersededError extends GeostreamError {
  constructor(details: {
    readonly consumerGroup: string;
    readonly topic: string;
    readonly partition: number;
    readonly follows: string | null;
    readonly stored: string | null;
  }) {
    super(
      SINK_ERROR_CODES.checkpointSuperseded,
      `the checkpoint of ${details.topic} partition ${details.partition} (group ${details.consumerGroup}) is at ${details.stored ?? 'none'}, not at ${details.follows ?? 'none'} as this writer last knew it: another instance wrote it since`,
      { details },
    );
  }
}
