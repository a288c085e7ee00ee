/**
 * A Kafka record as the processor sees it: the shape kafkajs hands to eachBatch, reduced to
 * what processing reads. The core never touches kafkajs itself.
 */
export interface RawMessage {
  /** int64 as a decimal string, as kafkajs gives it. */
  readonly offset: string;
  readonly key: Uint8Array | null;
  /** null for a tombstone; dead-lettered as not_json like any other empty payload. */
  readonly value: Uint8Array | null;
  /** The record's Kafka timestamp in epoch ms, as a decimal string. */
  readonly timestamp: string;
  /** Kafka headers; a control record (a level change) carries CONTROL_HEADER, a reading none. */
  readonly headers?: Readonly<
    Record<string, Uint8Array | string | readonly (Uint8Array | string)[] | undefined>
  >;
}

/**
 * When a dead letter is stamped: the source record's own Kafka timestamp. It is part of the
 * log, so a replay stamps the same instant and the dead letter stays byte-identical; the
 * processor's clock would make every replay write a different dead letter.
 */
export function deadLetterTimeOf(message: RawMessage): number {
  const ms = Number(message.timestamp);
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= 8.64e15 ? ms : 0;
}
