import { alarmPointKeyOf, type AlarmEvent, type DeadLetter } from '@geostream/instrument-schemas';

/**
 * An alarm event's Kafka key: its alarm point (instrument, condition and, for rates, direction),
 * not its own id, so every event of one alarm lands in one partition in the order decided:
 * a raise is never read after its clear. The event's own id (in the value) tells repeats apart.
 */
export function alertKey(event: AlarmEvent): string {
  return alarmPointKeyOf(event);
}

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
