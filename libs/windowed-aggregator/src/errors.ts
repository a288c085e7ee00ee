/**
 * The lib's one error type. Every failure here is a programmer error (a bad spec, options or
 * record shape) or a corrupt snapshot, never a transient condition, so `retriable` is always
 * false. The shape matches @geostream/platform's GeostreamError (code, retriable, details,
 * cause), so platform's `isRetriable` and loggers treat it alike; this pure lib cannot import
 * platform, which does I/O.
 */
export type WindowingErrorCode =
  /** A window spec factory was given a bad size, advance, gap or grace. */
  | 'WINDOW_SPEC_INVALID'
  /** createWindowedAggregator was given bad options. */
  | 'AGGREGATOR_OPTIONS_INVALID'
  /** A record's fields are not what the aggregator requires (see WindowedRecord). */
  | 'RECORD_INVALID'
  /** A time or partition argument (advanceWatermark, windowsFor, ...) is not a valid number. */
  | 'ARGUMENT_INVALID'
  /** A snapshot is not well formed or breaks an invariant of the state it claims to hold. */
  | 'SNAPSHOT_INVALID'
  /** A snapshot was written by a format version this build cannot read. */
  | 'SNAPSHOT_VERSION_UNSUPPORTED'
  /** A snapshot was taken with a different window spec than this aggregator's. */
  | 'SNAPSHOT_SPEC_MISMATCH'
  /** restorePartition(p, snapshot) was given a snapshot of another partition. */
  | 'SNAPSHOT_PARTITION_MISMATCH';

export class WindowingError extends Error {
  readonly code: WindowingErrorCode;
  readonly retriable = false;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: WindowingErrorCode,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'WindowingError';
    this.code = code;
    this.details = details;
  }
}

export function isWindowingError(
  error: unknown,
  code?: WindowingErrorCode,
): error is WindowingError {
  return error instanceof WindowingError && (code === undefined || error.code === code);
}
