import type { DecodedMessage } from '../problems';
import type { Reading } from '../schemas/reading';
import { isPlainObject, problem } from './field-problems';
import { envelopeItemSpans } from '../json-scanner';
import { quoteNonFiniteTokens } from './json-text';
import { messageProblem, validateEnvelope, validateMessage } from './validate-message';

/** Kafka's default maximum message size. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;

export interface DecodeOptions {
  /** Larger payloads are rejected unread as payload_too_large. */
  readonly maxBytes?: number;
}

/**
 * What decodeRawMessage found in one message: the readings and problems, whether it was a batch
 * envelope, and its items' original texts for the caller that must forward or dead-letter one
 * item alone.
 */
export interface DecodedRawMessage<T> extends DecodedMessage<T> {
  /**
   * The message parsed as a batch envelope (a JSON object with an "items" member), whether or
   * not its items were valid. False for a single reading and for a message that was not read.
   */
  readonly envelope: boolean;
  /**
   * An envelope item's own JSON text, sliced from the original message (the spans are found on
   * the first call and reused); undefined when the message is not an envelope or has no such
   * item. Never throws.
   */
  itemText(index: number): string | undefined;
}

const noItemText = (): undefined => undefined;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function rejected(
  code: 'not_json' | 'payload_too_large',
  message: string,
): DecodedRawMessage<Reading> {
  return {
    readings: [],
    problems: [messageProblem([problem(code, '', message)])],
    envelope: false,
    itemText: noItemText,
  };
}

function decoded(
  result: DecodedMessage<Reading>,
  envelope: boolean,
  itemText: (index: number) => string | undefined,
): DecodedRawMessage<Reading> {
  return { readings: result.readings, problems: result.problems, envelope, itemText };
}

/** UTF-8 byte length of a string, computed only when the cheap bounds cannot decide. */
function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true; // every UTF-16 unit takes at least one byte
  if (text.length * 3 <= maxBytes) return false; // and at most three
  return utf8Encoder.encode(text).length > maxBytes;
}

/**
 * Decodes one Kafka message value: a single reading or a batch envelope, as UTF-8 JSON bytes (or
 * text). Never throws. Returns the valid readings, and one problem per rejected unit (the whole
 * message, or one envelope item with its own JSON text) ready to be dead-lettered.
 */
export function decodeRawMessage(
  bytes: Uint8Array | string,
  options: DecodeOptions = {},
): DecodedRawMessage<Reading> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let text: string;
  if (typeof bytes === 'string') {
    if (exceedsBytes(bytes, maxBytes)) {
      return rejected('payload_too_large', `the payload is larger than ${maxBytes} bytes`);
    }
    text = bytes;
  } else {
    if (bytes.length > maxBytes) {
      return rejected(
        'payload_too_large',
        `the payload is ${bytes.length} bytes, more than the ${maxBytes} allowed`,
      );
    }
    try {
      text = utf8.decode(bytes);
    } catch {
      return rejected('not_json', 'the payload is not valid UTF-8 text');
    }
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const rescued = quoteNonFiniteTokens(text);
    try {
      if (rescued === undefined) throw error;
      value = JSON.parse(rescued);
    } catch {
      const reason = error instanceof Error ? error.message : String(error);
      return rejected('not_json', `the payload is not JSON: ${reason}`);
    }
  }

  if (!isPlainObject(value) || !('items' in value)) {
    return decoded(validateMessage(value), false, noItemText);
  }
  // Found only when an item's text is asked for (a bad item here, or a caller's late one).
  // envelopeItemSpans never throws: it only indexes the text, and the one JSON.parse it runs
  // (an escaped key) is caught inside objectMembers.
  let spans: Array<[number, number]> | undefined | null = null;
  const itemText = (index: number): string | undefined => {
    if (spans === null) spans = envelopeItemSpans(text);
    const span = spans?.[index];
    return span === undefined ? undefined : text.slice(span[0], span[1]);
  };
  return decoded(validateEnvelope(value, itemText), true, itemText);
}
