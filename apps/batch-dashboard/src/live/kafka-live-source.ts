import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Consumer, Kafka } from 'kafkajs';
import {
  AlarmEventSchema,
  INSTRUMENT_TYPES,
  alarmConditionOf,
  validateWindowRecord,
  type AlarmEvent,
  type Alert,
  type InstrumentType,
} from '@geostream/instrument-schemas';
import { errorMessage, type Logger } from '@geostream/platform';
import type { LiveTopics } from '../config';
import type { LiveHub } from './live-hub';

/**
 * The Kafka -> browser bridge. It reads the per-type window topics and the alerts topic in a
 * consumer group of its own (one per dashboard instance, so every instance sees every event),
 * starting at the latest offsets and committing nothing: the live view shows what happens from
 * now on, the history comes from PostgreSQL. It only relays: it never writes to Kafka or the
 * database. Records that fail validation are counted and logged, never shown.
 */
export interface KafkaLiveSource {
  readonly groupId: string;
  /** Resolves once the consumer has fetched (its starting offsets are fixed): events produced after this are seen. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
  invalidRecords(): number;
}

export interface KafkaLiveSourceOptions {
  readonly kafka: Kafka;
  readonly topics: LiveTopics;
  readonly hub: LiveHub;
  readonly logger: Logger;
  /** Defaults to 'batch-dashboard-live-<host>-<random>'. */
  readonly groupId?: string;
}

export function liveGroupId(): string {
  return `batch-dashboard-live-${hostname()}-${randomUUID().slice(0, 8)}`;
}

export async function startKafkaLiveSource(
  options: KafkaLiveSourceOptions,
): Promise<KafkaLiveSource> {
  const { kafka, topics, hub, logger } = options;
  const groupId = options.groupId ?? liveGroupId();
  const log = logger.child({ component: 'live-source', groupId });
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  const isAlarmEvent = ajv.compile<AlarmEvent>(AlarmEventSchema);
  const typeByTopic = new Map<string, InstrumentType>(
    INSTRUMENT_TYPES.map((type) => [topics.windows[type], type]),
  );
  let invalid = 0;
  const rejectRecord = (topic: string, reason: string): void => {
    invalid += 1;
    log.warn({ topic, reason }, 'live record ignored: invalid');
  };

  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: 500,
  });
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  let stopping = false;

  consumer.on(consumer.events.FETCH, () => {
    hub.setStatus('live');
    resolveReady();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    hub.setStatus('down');
    log.error(
      { err: event.payload.error, restart: event.payload.restart },
      'live consumer crashed',
    );
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    if (!stopping) hub.setStatus('down');
  });

  hub.setStatus('connecting');
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: [topics.alerts, ...INSTRUMENT_TYPES.map((type) => topics.windows[type])],
      fromBeginning: false,
    });
  } catch (error) {
    stopping = true;
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, message }) => {
      let value: unknown;
      try {
        value = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch (error) {
        rejectRecord(topic, `not JSON: ${errorMessage(error)}`);
        return;
      }
      if (topic === topics.alerts) {
        // Level alerts feed the live view's window story; every condition's alarm reaches the
        // page through the alarm-manager's lifecycle (alarm events, src/alarms/alarm-listener).
        if (!isAlarmEvent(value)) rejectRecord(topic, ajv.errorsText(isAlarmEvent.errors));
        else if (alarmConditionOf(value) === 'level')
          hub.publish({ kind: 'alert', alert: value as Alert });
        return;
      }
      const type = typeByTopic.get(topic);
      const result = validateWindowRecord(value);
      if (!result.ok) rejectRecord(topic, result.problems.map((p) => p.message).join('; '));
      else if (result.value.instrument !== type)
        rejectRecord(topic, `a ${result.value.instrument} window on ${topic}`);
      else hub.publish({ kind: 'window', record: result.value });
    },
  });
  log.info({ topics }, 'live source subscribed');

  return {
    groupId,
    ready,
    invalidRecords: () => invalid,
    async stop() {
      stopping = true;
      await consumer.disconnect();
      hub.setStatus('off');
    },
  };
}
