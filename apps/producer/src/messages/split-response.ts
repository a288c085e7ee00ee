import { envelopeItems, itemIdentity } from './envelope-shape';
import { HEADER, messageBytes, type OutgoingMessage, type PayloadKind } from './outgoing-message';

/**
 * Turns one API response into raw-topic messages. The producer does not judge readings: each
 * envelope item goes out as its own message, as the bytes received, and the stream-processor is
 * the one place that validates and dead-letters (one validator, one DLQ, original bytes kept).
 * A body that is not an envelope at all goes out whole, as one message, so nothing fetched is
 * lost and the processor dead-letters it with its original bytes.
 */
export interface PolledResponse {
  /** What was polled: an instrument type, or 'all'. */
  readonly target: string;
  readonly url: string;
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly receivedAtMs: number;
  readonly pollId: string;
}

export interface SplitOptions {
  readonly producerId: string;
  /** A larger unparsed body is cut to this size (Kafka refuses messages above its limit). */
  readonly maxMessageBytes: number;
}

export interface SplitResult {
  readonly messages: OutgoingMessage[];
  /** Envelope items found (each one message). */
  readonly items: number;
  /** True when the body was not an envelope and went out whole. */
  readonly unparsed: boolean;
  /** True when an unparsed body had to be cut to maxMessageBytes. */
  readonly truncated: boolean;
}

/** The key of an item without a usable identity: one per polled target, so such items stay together. */
export function unkeyedKey(target: string): string {
  return `unkeyed:${target}`;
}

export function unparsedKey(target: string): string {
  return `unparsed:${target}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

function baseHeaders(response: PolledResponse, options: SplitOptions, payload: PayloadKind) {
  return {
    [HEADER.source]: response.url,
    [HEADER.ingestedAt]: new Date(response.receivedAtMs).toISOString(),
    [HEADER.producerId]: options.producerId,
    [HEADER.pollId]: response.pollId,
    [HEADER.payload]: payload,
  };
}

function message(key: string, value: Buffer, headers: Record<string, string>): OutgoingMessage {
  return { key, value, headers, bytes: messageBytes(key, value, headers) };
}

function unparsedMessage(response: PolledResponse, options: SplitOptions): SplitResult {
  const headers: Record<string, string> = {
    ...baseHeaders(response, options, 'unparsed_response'),
    [HEADER.contentType]: response.contentType ?? '',
  };
  const truncated = response.body.length > options.maxMessageBytes;
  if (truncated) headers[HEADER.originalBytes] = String(response.body.length);
  const value = truncated ? response.body.subarray(0, options.maxMessageBytes) : response.body;
  return {
    messages: [message(unparsedKey(response.target), value, headers)],
    items: 0,
    unparsed: true,
    truncated,
  };
}

export function splitResponse(response: PolledResponse, options: SplitOptions): SplitResult {
  const text = decodeUtf8(response.body);
  const envelopes = text === undefined ? undefined : envelopeItems(text);
  if (text === undefined || envelopes === undefined) return unparsedMessage(response, options);

  const headers = baseHeaders(response, options, 'item');
  const messages: OutgoingMessage[] = [];
  let truncated = false;
  for (const { spans } of envelopes) {
    for (const [start, end] of spans) {
      const identity = itemIdentity(text, start);
      const key = identity
        ? `${identity.instrument}:${identity.boreholeNumber}`
        : unkeyedKey(response.target);
      const value = Buffer.from(text.slice(start, end), 'utf8');
      if (value.length > options.maxMessageBytes) {
        // An absurdly large item cannot be a reading; cut it so it can still reach the DLQ.
        truncated = true;
        messages.push(
          message(key, value.subarray(0, options.maxMessageBytes), {
            ...headers,
            [HEADER.originalBytes]: String(value.length),
          }),
        );
      } else {
        messages.push(message(key, value, headers));
      }
    }
  }
  return { messages, items: messages.length, unparsed: false, truncated };
}
