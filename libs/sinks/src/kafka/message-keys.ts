import type { DeadLetter } from '@geostream/instrument-schemas';

/**
 * A dead letter's Kafka key: where its bytes came from, `<topic>:<partition>:<offset>` plus
 * `:items[i]` for one item of a batch envelope. Replaying the same input yields the same key,
 * and the dead letters of one source message land in one partition, in order.
 */
export function deadLetterKey(deadLetter: DeadLetter): string {
  const { topic, partition, offset } = deadLetter.source;
  const item = deadLetter.item_index === null ? '' : `:items[${deadLetter.item_index}]`;
  return `${topic}:${partition}:${offset}${item}`;
}
