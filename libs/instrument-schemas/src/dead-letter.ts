import type { MessageProblem, Problem, ReasonCode } from './problems';
import { DEAD_LETTER_SCHEMA_VERSION, type DeadLetter } from './schemas/dead-letter';

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as kafkajs gives it (an int64 decimal string). */
  readonly offset: string;
  /** The message key, if any. */
  readonly key?: Uint8Array | string | null;
}

export interface DeadLetterInput {
  readonly source: DeadLetterSource;
  /** The bytes being dead-lettered: a whole message, one envelope item, or a rejected record. */
  readonly payload: Uint8Array | string;
  readonly reason: ReasonCode;
  readonly message: string;
  readonly path?: string;
  readonly itemIndex?: number;
  /** Every problem; defaults to one built from reason, path and message. */
  readonly problems?: readonly Problem[];
  /** When it was dead-lettered (UTC ms): a pure library takes time as an argument. */
  readonly deadLetteredAtMs: number;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

// C0 controls other than tab, newline and carriage return, and DEL, make text unprintable.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function printableText(bytes: Uint8Array): string | null {
  try {
    const text = strictUtf8.decode(bytes);
    return UNPRINTABLE.test(text) ? null : text;
  } catch {
    return null;
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * A dead letter: '<topic>:<partition>:<offset>[:items[i]]:<reason>' as id, so re-running the
 * job over the same log writes the same dead letters (sinks can upsert on the id).
 */
export function buildDeadLetter(input: DeadLetterInput): DeadLetter {
  const { source } = input;
  const payload = toBytes(input.payload);
  const path = input.path ?? '';
  const itemIndex = input.itemIndex ?? null;
  const key =
    source.key === undefined || source.key === null
      ? null
      : typeof source.key === 'string'
        ? source.key
        : (printableText(source.key) ?? base64(source.key));
  // Keys set in sorted order at every depth: canonical JSON writes it as it is, uncopied.
  return {
    dead_lettered_at: new Date(input.deadLetteredAtMs).toISOString(),
    id:
      `${source.topic}:${source.partition}:${source.offset}` +
      (itemIndex === null ? '' : `:items[${itemIndex}]`) +
      `:${input.reason}`,
    item_index: itemIndex,
    message: input.message,
    path,
    payload_base64: base64(payload),
    payload_bytes: payload.byteLength,
    payload_utf8: printableText(payload),
    problems: (input.problems ?? [{ code: input.reason, path, message: input.message }]).map(
      (p) => ({ code: p.code, message: p.message, path: p.path }),
    ),
    reason: input.reason,
    schema_version: DEAD_LETTER_SCHEMA_VERSION,
    source: { key, offset: source.offset, partition: source.partition, topic: source.topic },
  };
}

/**
 * The dead letter for one problem of decodeRawMessage: the item's own JSON when one envelope
 * item was rejected (the whole message if its text could not be recovered), else the message.
 */
export function deadLetterForProblem(input: {
  readonly source: DeadLetterSource;
  readonly messageBytes: Uint8Array | string;
  readonly problem: MessageProblem;
  readonly deadLetteredAtMs: number;
}): DeadLetter {
  const { problem } = input;
  return buildDeadLetter({
    source: input.source,
    payload: problem.itemJson ?? input.messageBytes,
    reason: problem.code,
    message: problem.message,
    path: problem.path,
    ...(problem.itemIndex === undefined ? {} : { itemIndex: problem.itemIndex }),
    problems: problem.problems,
    deadLetteredAtMs: input.deadLetteredAtMs,
  });
}

/**
 * A dead letter that fits in `maxBytes` of JSON: itself when it does; otherwise the same, but
 * with only the head of its payload (as much as fits), `payload_truncated: true` and the whole
 * payload's SHA-256 (`sha256Hex`, the caller's: this library does no hashing). So a dead letter
 * larger than its topic allows is kept, bounded, instead of holding up its partition.
 */
export function boundDeadLetter(
  deadLetter: DeadLetter,
  maxBytes: number,
  sha256Hex: (payload: Uint8Array) => string,
): DeadLetter {
  // The payload is there twice (base64 and text): far below the limit, no need to measure.
  if (deadLetter.payload_bytes * 3 < maxBytes / 2 || jsonBytes(deadLetter) <= maxBytes)
    return deadLetter;
  const payload = Buffer.from(deadLetter.payload_base64, 'base64');
  const payloadSha256 = sha256Hex(payload);
  const bounded = (keep: number): DeadLetter => ({
    ...deadLetter,
    message: `${deadLetter.message} [payload truncated: first ${keep} of ${payload.byteLength} bytes kept]`,
    payload_base64: base64(payload.subarray(0, keep)),
    payload_utf8: null,
    payload_truncated: true,
    payload_sha256: payloadSha256,
  });
  // Base64 takes 4/3 of the bytes; the rest of the letter is what it is.
  let keep = Math.max(0, Math.floor(((maxBytes - jsonBytes(bounded(0))) * 3) / 4) - 4);
  while (keep > 0 && jsonBytes(bounded(keep)) > maxBytes) keep = Math.floor(keep / 2);
  return bounded(Math.min(keep, payload.byteLength));
}

function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength;
}
