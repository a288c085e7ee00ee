import { isAscii, isUtf8 } from 'node:buffer';
import { envelopeItems, itemIdentity } from './envelope-shape';
import {
  HEADER,
  headerBytes,
  messageBytes,
  UNPARSED_RESPONSE,
  type OutgoingMessage,
} from './outgoing-message';

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

/**
 * The body as text, if it is UTF-8. Pure ASCII (the usual case) decodes fastest, and then
 * string positions are byte positions, so items can be views of the body instead of copies.
 */
function decode(body: Buffer): { text: string; ascii: boolean } | undefined {
  if (isAscii(body)) return { text: body.toString('latin1'), ascii: true };
  if (isUtf8(body)) return { text: body.toString('utf8'), ascii: false };
  return undefined;
}

function itemHeaders(response: PolledResponse, options: SplitOptions): Record<string, string> {
  return {
    [HEADER.source]: response.url,
    [HEADER.ingestedAt]: new Date(response.receivedAtMs).toISOString(),
    [HEADER.producerId]: options.producerId,
  };
}

function message(key: string, value: Buffer, headers: Record<string, string>): OutgoingMessage {
  return { key, value, headers, bytes: messageBytes(key, value, headers) };
}

function unparsedMessage(response: PolledResponse, options: SplitOptions): SplitResult {
  const headers: Record<string, string> = {
    ...itemHeaders(response, options),
    [HEADER.payload]: UNPARSED_RESPONSE,
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
  const decoded = decode(response.body);
  const envelopes = decoded && envelopeItems(decoded.text);
  if (!decoded || !envelopes) return unparsedMessage(response, options);
  const { text, ascii } = decoded;

  const headers = itemHeaders(response, options);
  const sharedBytes = headerBytes(headers);
  const messages: OutgoingMessage[] = [];
  let truncated = false;
  for (const { spans } of envelopes) {
    for (const [start, end] of spans) {
      const identity = itemIdentity(text, start);
      const key = identity
        ? `${identity.instrument}:${identity.boreholeNumber}`
        : unkeyedKey(response.target);
      const value = ascii
        ? response.body.subarray(start, end)
        : Buffer.from(text.slice(start, end), 'utf8');
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
        messages.push({
          key,
          value,
          headers,
          bytes: Buffer.byteLength(key) + value.length + sharedBytes,
        });
      }
    }
  }
  return { messages, items: messages.length, unparsed: false, truncated };
}
