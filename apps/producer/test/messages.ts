import { messageBytes, type OutgoingMessage } from '../src/messages/outgoing-message';

/** A small message for sender tests: key and value are what the assertions compare. */
export function message(key: string, value: string): OutgoingMessage {
  const buffer = Buffer.from(value);
  return { key, value: buffer, headers: {}, bytes: messageBytes(key, buffer, {}) };
}
