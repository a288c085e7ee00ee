import type { Alert, DeadLetter, WindowRecord } from '@geostream/instrument-schemas';

export interface KafkaOutputs {
  readonly windows: readonly WindowRecord[];
  readonly alerts: readonly Alert[];
  readonly deadLetters: readonly DeadLetter[];
}

/**
 * The broker refuses a record batch (all of one request's records for one partition) above its
 * `message.max.bytes`, 1 MiB by default, and the sink sends one request per write. Splitting
 * a write into chunks whose *total* size stays under the limit keeps every partition's share
 * under it too, whatever the keys. Sizes are upper estimates (JSON grows with the ids it
 * repeats); a dead letter, rare and of any size, is measured.
 */
export const DEFAULT_KAFKA_CHUNK_BYTES = 900 * 1024;

export function windowBytes(window: WindowRecord): number {
  return 700 + 3 * window.id.length;
}

export function alertBytes(alert: Alert): number {
  return 2_500 + 6 * alert.id.length;
}

export function deadLetterBytes(deadLetter: DeadLetter): number {
  return 256 + JSON.stringify(deadLetter).length;
}

/** Splits outputs, in order, into chunks of at most `maxBytes` each (one record at least). */
export function kafkaChunks(
  outputs: KafkaOutputs,
  maxBytes = DEFAULT_KAFKA_CHUNK_BYTES,
): KafkaOutputs[] {
  const chunks: KafkaOutputs[] = [];
  let current = {
    windows: [] as WindowRecord[],
    alerts: [] as Alert[],
    deadLetters: [] as DeadLetter[],
  };
  let bytes = 0;
  const place = (size: number): void => {
    if (bytes > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = { windows: [], alerts: [], deadLetters: [] };
      bytes = 0;
    }
    bytes += size;
  };
  for (const window of outputs.windows) {
    place(windowBytes(window));
    current.windows.push(window);
  }
  for (const alert of outputs.alerts) {
    place(alertBytes(alert));
    current.alerts.push(alert);
  }
  for (const deadLetter of outputs.deadLetters) {
    place(deadLetterBytes(deadLetter));
    current.deadLetters.push(deadLetter);
  }
  if (bytes > 0) chunks.push(current);
  return chunks;
}
