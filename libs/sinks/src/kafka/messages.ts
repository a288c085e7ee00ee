import type { Message, TopicMessages } from 'kafkajs';
import type { InstrumentType } from '@geostream/instrument-schemas';
import { canonicalJson } from './canonical-json';
import { alertKey, deadLetterKey } from './message-keys';
import type { KafkaBatch } from './types';

export interface OutputTopics {
  readonly perType: (instrument: InstrumentType) => string;
  readonly alerts: string;
  readonly deadLetter: string;
}

/**
 * The messages of one write, grouped by topic, in batch order. Keys: window id, alarm point
 * (see alertKey), dead-letter source; values canonical JSON: the same record always gives the
 * same key and the same bytes, so a replayed message is an exact repeat (windows and dead
 * letters are dropped by key, alarm events by their id).
 * No timestamp is set: the broker's append time is not part of the content.
 */
export function topicMessagesFor(batch: KafkaBatch, topics: OutputTopics): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  const add = (topic: string, key: string, value: unknown) => {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({ key, value: canonicalJson(value) });
  };
  for (const window of batch.windows ?? [])
    add(topics.perType(window.instrument), window.id, window);
  for (const alert of batch.alerts ?? []) add(topics.alerts, alertKey(alert), alert);
  for (const deadLetter of batch.deadLetters ?? [])
    add(topics.deadLetter, deadLetterKey(deadLetter), deadLetter);
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
