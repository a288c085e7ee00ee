import type { Message, TopicMessages } from 'kafkajs';

/**
 * The broker refuses a record batch (one request's records for one partition) above its
 * `message.max.bytes`, 1 MiB by default. Keeping a whole request's records under 900 KiB keeps
 * every partition's share under it too, whatever the keys, with room for the batch headers.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 900 * 1024;

/**
 * What a record adds to its batch besides its key and value: its length, attributes, timestamp
 * and offset deltas, key and value lengths (varints at their widest) and header count.
 */
export const RECORD_OVERHEAD_BYTES = 40;

function bytesOf(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

/** The bytes a message takes in a record batch, as encoded (UTF-8), not its string length. */
export function messageBytes(message: Message): number {
  return RECORD_OVERHEAD_BYTES + bytesOf(message.key) + bytesOf(message.value);
}

/**
 * Splits one write's messages into produce requests of at most `maxRequestBytes` each (a
 * single larger message goes alone), in order: sent one after another, every topic's messages
 * keep their order and keys. Empty topics and empty requests are left out.
 */
export function produceRequests(
  topicMessages: readonly TopicMessages[],
  maxRequestBytes: number,
): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let slice: Message[] | undefined;
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > maxRequestBytes) {
        requests.push(request);
        request = [];
        slice = undefined;
        bytes = 0;
      }
      if (slice === undefined) request.push({ topic, messages: (slice = []) });
      slice.push(message);
      bytes += size;
    }
  }
  if (bytes > 0) requests.push(request);
  return requests;
}
