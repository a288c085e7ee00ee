/**
 * The lib's one error type, shaped like @geostream/platform's GeostreamError (code, retriable,
 * details, cause) so platform's helpers and loggers treat it alike; this pure lib cannot import
 * platform, which does I/O. Nothing here is transient: `retriable` is always false.
 */
export type AlertingErrorCode =
  // State read back from a checkpoint or a database (readRateState, readSilenceState, ...).
  /** A stored state is not well formed or breaks an invariant of what it claims to hold. */
  | 'STATE_INVALID'
  /** A stored state was written by a state version this build cannot read. */
  | 'STATE_VERSION_UNSUPPORTED'
  // Alarm lifecycle transitions refused. "Conflict": the alarm's state does not allow it now
  // (HTTP 409); "invalid": the request itself is wrong (HTTP 400). Unknown alarms are the
  // caller's to report (404): these functions are given the alarm.
  /** conflict: the occurrence is closed (or superseded by a newer one): nothing to acknowledge. */
  | 'ALARM_CLOSED'
  /** conflict: the occurrence was already acknowledged. */
  | 'ALREADY_ACKNOWLEDGED'
  /** conflict: unshelving an alarm that is not shelved (or whose shelf has expired). */
  | 'NOT_SHELVED'
  /** invalid: shelving needs a reason. */
  | 'SHELVE_REASON_REQUIRED'
  /** invalid: a shelf must end after it starts. */
  | 'SHELVE_EXPIRY_NOT_IN_FUTURE'
  /** invalid: a shelf longer than the longest allowed (shelving is temporary by design). */
  | 'SHELVE_TOO_LONG'
  /** invalid: a comment action without a comment. */
  | 'COMMENT_REQUIRED'
  /** invalid: a comment or reason longer than MAX_COMMENT_LENGTH. */
  | 'COMMENT_TOO_LONG'
  /** invalid: the actor (`by`) is blank. */
  | 'ACTOR_REQUIRED'
  /** A programming error: an event applied to the lifecycle of another alarm point. */
  | 'EVENT_FOR_ANOTHER_ALARM';

export class AlertingError extends Error {
  readonly code: AlertingErrorCode;
  readonly retriable = false;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: AlertingErrorCode,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'AlertingError';
    this.code = code;
    this.details = details;
  }
}

export function isAlertingError(error: unknown, code?: AlertingErrorCode): error is AlertingError {
  return error instanceof AlertingError && (code === undefined || error.code === code);
}
