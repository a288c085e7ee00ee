import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { AlarmEvent } from '@geostream/instrument-schemas';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createKafka } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import { APP_TABLES, REPROCESS_TABLES, canonicalJson, migrateAppSchema } from '@geostream/sinks';
import {
  createTopic,
  freePort,
  inspector,
  isolation,
  quietLogger,
  removeKafkaThings,
  services,
  startManagerProcess,
  type Isolation,
  type ManagerProcess,
} from '../support/harness';

/**
 * After a reprocessing switch-over the alarm-manager reads the current version's alerts topic
 * (tools/reprocess's registry in READ_PG_SCHEMA), without a restart, and back on a rollback;
 * with no registry it reads ALERTS_TOPIC. Its own topics, group, app schema and read schema.
 */
const iso: Isolation = isolation('follow', { ELASTICSEARCH_URL: 'off' });
const READ_SCHEMA = `${iso.schema}_read`;
const V2_TOPIC = `${iso.topic}.v2`;
const T0 = Date.now() - 60_000;

const BEFORE = exampleAlarmEvent('level', { atMs: T0, borehole: 'P-1', to: 'alert' });
const ON_V2 = exampleAlarmEvent('level', { atMs: T0 + 10_000, borehole: 'P-2', to: 'alarm' });
const STALE_ON_V1 = exampleAlarmEvent('level', { atMs: T0 + 20_000, borehole: 'P-3', to: 'alert' });
const AFTER_ROLLBACK = exampleAlarmEvent('level', {
  atMs: T0 + 30_000,
  borehole: 'P-4',
  to: 'alert',
});

let kafka: Kafka;
let db: Knex;
let port: number;
let manager: ManagerProcess | undefined;

async function produce(topic: string, event: AlarmEvent): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: event.id, value: canonicalJson(event) }],
    });
  } finally {
    await producer.disconnect();
  }
}

const appliedIds = async (): Promise<string[]> =>
  (
    (await db(APP_TABLES.alarmEvent).select('event_id').orderBy('event_id')) as {
      event_id: string;
    }[]
  ).map((row) => row.event_id);

async function waitApplied(ids: string[]): Promise<void> {
  await eventually(
    async () => {
      const applied = await appliedIds();
      return ids.every((id) => applied.includes(id)) ? true : undefined;
    },
    { what: `events ${ids.join(', ')} applied (log: ${manager?.logFile})`, timeoutMs: 60_000 },
  );
}

const health = async (): Promise<{ status: string; checks: Record<string, { detail?: string }> }> =>
  (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
    status: string;
    checks: Record<string, { detail?: string }>;
  };

/** The registry's shape as tools/reprocess creates it, as far as readers use it. */
async function createRegistry(): Promise<void> {
  await db.raw(`
    create schema "${READ_SCHEMA}";
    create table "${READ_SCHEMA}".${REPROCESS_TABLES.versions} (
      name text primary key, topic_prefix text not null, topic_suffix text not null,
      alerts_topic text not null);
    create table "${READ_SCHEMA}".${REPROCESS_TABLES.pointer} (
      singleton boolean primary key default true check (singleton),
      current text references "${READ_SCHEMA}".${REPROCESS_TABLES.versions} (name));
    insert into "${READ_SCHEMA}".${REPROCESS_TABLES.versions} values
      ('v1', '', '', '${iso.topic}'), ('v2', '', '.v2', '${V2_TOPIC}');
    insert into "${READ_SCHEMA}".${REPROCESS_TABLES.pointer} (singleton, current) values (true, null);
  `);
}

const pointAt = (version: string) =>
  db.raw(`update "${READ_SCHEMA}".${REPROCESS_TABLES.pointer} set current = ?`, [version]);

beforeAll(async () => {
  kafka = createKafka(services.kafka, quietLogger);
  await createTopic(kafka, iso.topic, 1);
  await createTopic(kafka, V2_TOPIC, 1);
  await migrateAppSchema({
    connectionString: services.database.url,
    schema: iso.schema,
    role: 'geostream_operator',
  });
  db = inspector(iso.schema);
  port = await freePort();
}, 120_000);

afterAll(async () => {
  await manager?.kill('SIGKILL');
  if (kafka) {
    await removeKafkaThings(kafka, iso);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [V2_TOPIC] }).catch(() => undefined);
    await admin.disconnect();
  }
  await db?.raw('drop schema if exists ?? cascade', [READ_SCHEMA]);
  await db?.raw('drop schema if exists ?? cascade', [iso.schema]);
  await db?.destroy();
});

describe('alarm-manager following the reprocessing registry', () => {
  it("reads ALERTS_TOPIC without a registry, the current version's topic after a switch, and the previous one after a rollback", async () => {
    manager = startManagerProcess(iso, 'follow', {
      PORT: String(port),
      READ_PG_SCHEMA: READ_SCHEMA,
      ALERTS_TOPIC_FOLLOW_MS: '1000',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    });
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
      { what: `/health of the alarm-manager (log: ${manager.logFile})`, timeoutMs: 60_000 },
    );
    // No registry in READ_PG_SCHEMA yet: the configured topic.
    await produce(iso.topic, BEFORE);
    await waitApplied([BEFORE.id]);
    expect((await health()).checks['kafka']?.detail).toBe(`reading ${iso.topic}`);

    // The registry appears and names v2: its topic is read, from its beginning.
    await createRegistry();
    await produce(V2_TOPIC, ON_V2);
    await pointAt('v2');
    await waitApplied([ON_V2.id]);
    await eventually(
      async () =>
        (await health()).checks['kafka']?.detail === `reading ${V2_TOPIC} (version v2)`
          ? true
          : undefined,
      { what: 'health naming the v2 topic', timeoutMs: 30_000 },
    );
    // What the previous version writes now is no longer read...
    await produce(iso.topic, STALE_ON_V1);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await appliedIds()).not.toContain(STALE_ON_V1.id);

    // ...until a rollback points readers at v1 again: its topic resumes where the group left it.
    await pointAt('v1');
    await produce(iso.topic, AFTER_ROLLBACK);
    await waitApplied([STALE_ON_V1.id, AFTER_ROLLBACK.id]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/alarm_manager_alerts_topic_switches_total\{[^}]*\} 2\b/);
    expect((await health()).status).toBe('ok');
  }, 180_000);
});
