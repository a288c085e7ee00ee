/**
 * RFC 3339 date-time with a mandatory zone (Z or ±hh:mm), seconds required, any number of
 * fraction digits; 'T' or a space between date and time. No leap second (:60): Date and every
 * sink reject it. Day-of-month validity (no 30 February) is the `format: 'date-time'` part.
 * Years 1900 to 2099 as written (TIMESTAMP_YEARS): 0000 and 9999 are corruption.
 */
export const TIMESTAMP_PATTERN =
  '^(19|20)\\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt ]([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d+)?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';

/** The one form this library writes: Date.prototype.toISOString(), UTC, milliseconds. */
export const CANONICAL_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';

/** At least one non-whitespace character: a blank identifier is as good as none. */
export const NOT_BLANK_PATTERN = '\\S';

/** Longest instrument id accepted: ids become Kafka keys, document ids and primary keys. */
export const MAX_IDENTIFIER_LENGTH = 128;

/**
 * Longest instrument id in UTF-8 bytes. Window and alert ids embed it and are Elasticsearch
 * `_id`s, which may not exceed 512 bytes: 128 four-byte characters would break them. Checked by
 * the validator (JSON Schema cannot count bytes).
 */
export const MAX_IDENTIFIER_BYTES = 256;

/**
 * An instrument id: not blank, at most MAX_IDENTIFIER_LENGTH characters (code points, as JSON
 * Schema counts them), no control characters (U+0000-U+001F, U+007F). PostgreSQL text cannot
 * store U+0000, and a newline or escape sequence in an id would corrupt logs, CSV exports and
 * terminals. The validator also refuses lone surrogates (not Unicode: no sink can encode them)
 * and ids over MAX_IDENTIFIER_BYTES.
 */
export const IDENTIFIER_PATTERN = `^(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f]{1,${MAX_IDENTIFIER_LENGTH}}$`;
