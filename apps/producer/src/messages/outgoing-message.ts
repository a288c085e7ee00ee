/** One Kafka message waiting to be produced to the raw topic. */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** Key, value and header bytes: what it weighs in a produce request. */
  readonly bytes: number;
}

/** What a message carries, in its `payload` header. */
export type PayloadKind = 'item' | 'unparsed_response';

export const HEADER = {
  source: 'source',
  ingestedAt: 'ingested_at',
  producerId: 'producer_id',
  pollId: 'poll_id',
  payload: 'payload',
  contentType: 'content_type',
  originalBytes: 'original_bytes',
} as const;

export function messageBytes(
  key: string,
  value: Buffer,
  headers: Readonly<Record<string, string>>,
): number {
  let bytes = Buffer.byteLength(key) + value.length;
  for (const name in headers) bytes += name.length + Buffer.byteLength(headers[name] as string);
  return bytes;
}
