/**
 * Stable reason codes: the machine-readable "why" of every rejection, dead letter and problem.
 * Codes are never renamed or reused; new ones may be added (consumers must tolerate unknown codes).
 */
export const REASON_CODES = [
  // bytes and document level
  'not_json',
  'not_an_object',
  'payload_too_large',
  'unsupported_version',
  // field level
  'missing_field',
  'null_value',
  'empty_string',
  'wrong_type',
  'non_finite_number',
  'invalid_timestamp',
  'timestamp_without_zone',
  'timestamp_out_of_range',
  'unknown_instrument',
  'out_of_physical_range',
  // configuration files (site config)
  'unknown_field',
  'invalid_value',
  'invalid_threshold_order',
  'duplicate_entry',
  // pipeline outcomes written by the stream-processor as dead letters
  'late',
  'sink_rejected',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

const reasonCodeSet: ReadonlySet<string> = new Set(REASON_CODES);

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && reasonCodeSet.has(value);
}

/**
 * One thing wrong with a value. `path` locates it: '' is the whole document, then field names
 * joined by '.', array positions as '[i]' (e.g. 'items[3].reading').
 */
export interface Problem {
  readonly code: ReasonCode;
  readonly path: string;
  readonly message: string;
}

/**
 * One rejected unit of a Kafka message: the whole message, or one item of a batch envelope.
 * Each one becomes exactly one dead letter. `code`, `path` and `message` describe the first
 * problem found (the message names all of them); `problems` lists every problem.
 */
export interface MessageProblem extends Problem {
  /** Set when one item of a batch envelope was rejected and the rest of the batch was kept. */
  readonly itemIndex?: number;
  /** The item's own JSON text, sliced from the original bytes, so it can be dead-lettered alone. */
  readonly itemJson?: string;
  /** Every problem found in this unit (at least one); paths are relative to the whole message. */
  readonly problems: readonly Problem[];
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Readings that passed, and one problem per rejected unit (whole message or envelope item). */
export interface DecodedMessage<T> {
  readonly readings: T[];
  readonly problems: MessageProblem[];
}
