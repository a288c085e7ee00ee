import { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { AlarmEvent, TriggerLevel } from '@geostream/instrument-schemas';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createKafka } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import { APP_TABLES, canonicalJson, createAppDatabase, migrateAppSchema } from '@geostream/sinks';
import { addressDomain, messageIdFor } from '../../src/core/notification-content';
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
import {
  startSmtpReceiver,
  startWebhookReceiver,
  type SmtpReceiver,
  type WebhookReceiver,
} from '../support/receivers';

/**
 * The alarm-manager as its own process against the real Kafka, PostgreSQL and Elasticsearch,
 * with a local webhook receiver and SMTP server: alarm events of the four conditions (one
 * point's three events produced in reverse order across partitions, one event twice, one record
 * that is no event) become lifecycles, audit entries and one notification per transition and
 * route, across a SIGKILL of the process while it sends; the audit log refuses changes; the
 * alerts index holds every alarm and transition.
 */
const iso: Isolation = isolation('suite');
const FROM = 'geostream <alarms@site.example>';
const T0 = Date.now() - 60_000;

// One point's raise, escalation and clear, produced newest first, each on its own partition.
const L1 = exampleAlarmEvent('level', { atMs: T0, borehole: 'P-1', to: 'alert' });
const L2 = exampleAlarmEvent('level', {
  atMs: T0 + 10_000,
  borehole: 'P-1',
  from: 'alert',
  to: 'alarm',
});
const L3 = exampleAlarmEvent('level', {
  atMs: T0 + 20_000,
  borehole: 'P-1',
  from: 'alarm',
  to: 'none',
});
const R1 = exampleAlarmEvent('rate', {
  atMs: T0,
  instrument: 'settlement_marker',
  borehole: 'SM-1',
  direction: 'falling',
  to: 'alarm',
});
const N1 = exampleAlarmEvent('no_data', { atMs: T0, instrument: 'extensometer', borehole: 'EX-1' });
const N2 = exampleAlarmEvent('no_data', {
  atMs: T0 + 30_000,
  instrument: 'extensometer',
  borehole: 'EX-1',
  from: 'alarm',
  to: 'none',
  silentSinceMs: T0 - 3 * 3_600_000,
});
const C1 = exampleAlarmEvent('clock_skew', {
  atMs: T0,
  instrument: 'strain_gauge',
  borehole: 'SG-1',
  to: 'alert',
});

// Produced once the first notifications are out: these are sent while the process is killed.
const P2 = exampleAlarmEvent('level', { atMs: T0 + 40_000, borehole: 'P-2', to: 'action' });
const R2 = exampleAlarmEvent('rate', {
  atMs: T0 + 40_000,
  instrument: 'settlement_marker',
  borehole: 'SM-1',
  direction: 'falling',
  from: 'alarm',
  to: 'none',
});
const C2 = exampleAlarmEvent('clock_skew', {
  atMs: T0 + 40_000,
  instrument: 'strain_gauge',
  borehole: 'SG-1',
  from: 'alert',
  to: 'none',
});

const P3 = exampleAlarmEvent('level', { atMs: T0 + 50_000, borehole: 'P-3', to: 'alarm' });

const SECRETS = { '/ok': 'secret-ok-0123456789', '/refuse': 'secret-refuse-0123456789' };

let kafka: Kafka;
let db: Knex;
let webhooks: WebhookReceiver;
let mail: SmtpReceiver;
let port: number;
let manager: ManagerProcess | undefined;
let routeIds: Record<string, string>;
let es: Client | undefined;

function managerEnv(): Record<string, string> {
  return {
    PORT: String(port),
    SMTP_URL: mail.url,
    SMTP_FROM: FROM,
    NOTIFY_POLL_MS: '200',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    NOTIFY_TIMEOUT_MS: '2500',
    NOTIFY_LEASE_MS: '4000',
    NOTIFY_MAX_ATTEMPTS: '3',
    NOTIFY_RETRY_INITIAL_MS: '200',
    NOTIFY_RETRY_MAX_MS: '400',
  };
}

async function produce(messages: Array<{ event: AlarmEvent | string; partition: number }>) {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    // One send per message, in the order given: the test decides what is read first.
    for (const { event, partition } of messages)
      await producer.send({
        topic: iso.topic,
        acks: -1,
        messages: [
          {
            partition,
            key: typeof event === 'string' ? 'garbage' : event.id,
            value: typeof event === 'string' ? event : canonicalJson(event),
          },
        ],
      });
  } finally {
    await producer.disconnect();
  }
}

async function insertRoute(route: {
  name: string;
  channel: 'email' | 'webhook';
  target: string;
  secret?: string;
  min_level: Exclude<TriggerLevel, 'none'>;
  conditions?: string[];
}): Promise<string> {
  const [row] = (await db(APP_TABLES.notificationRoute)
    .insert({
      ...route,
      secret: route.secret ?? null,
      conditions: route.conditions ?? null,
      created_by: 'test',
    })
    .returning('id')) as { id: string }[];
  return String(row?.id);
}

const outboxRows = async () =>
  (await db(APP_TABLES.notificationOutbox).orderBy('id')) as Array<{
    id: string;
    route_id: string;
    route_name: string;
    channel: string;
    idempotency_key: string;
    status: string;
    attempts: number;
    last_error: string | null;
  }>;

const metricsText = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

beforeAll(async () => {
  kafka = createKafka(services.kafka, quietLogger);
  await createTopic(kafka, iso.topic, 3);
  await migrateAppSchema({
    connectionString: services.database.url,
    schema: iso.schema,
    role: 'geostream_operator',
  });
  db = inspector(iso.schema);
  webhooks = await startWebhookReceiver({
    secrets: SECRETS,
    answerDelayMs: 1_500,
    statusByPath: { '/refuse': 400 },
  });
  mail = await startSmtpReceiver({ answerDelayMs: 1_500 });
  routeIds = {
    hook: await insertRoute({
      name: 'site webhook',
      channel: 'webhook',
      target: webhooks.url('/ok'),
      secret: SECRETS['/ok'],
      min_level: 'alert',
    }),
    mail: await insertRoute({
      name: 'engineers on call',
      channel: 'email',
      target: 'oncall@site.example, lead@site.example',
      min_level: 'alarm',
    }),
    refused: await insertRoute({
      name: 'refusing webhook',
      channel: 'webhook',
      target: webhooks.url('/refuse'),
      secret: SECRETS['/refuse'],
      min_level: 'alert',
      conditions: ['clock_skew'],
    }),
    down: await insertRoute({
      name: 'webhook nobody listens to',
      channel: 'webhook',
      target: `http://127.0.0.1:${await freePort()}/hook`,
      secret: 'secret-down-0123456789',
      min_level: 'alert',
      conditions: ['rate'],
    }),
  };
  port = await freePort();
  if (services.elasticsearch.enabled) es = new Client({ node: services.elasticsearch.url });
}, 120_000);

afterAll(async () => {
  await manager?.kill('SIGKILL');
  await webhooks?.close();
  await mail?.close();
  if (kafka) await removeKafkaThings(kafka, iso);
  await db?.raw('drop schema if exists ?? cascade', [iso.schema]);
  await db?.destroy();
  if (es) {
    await es.indices.delete({ index: iso.index, ignore_unavailable: true }).catch(() => undefined);
    await es.indices.deleteIndexTemplate({ name: iso.index }).catch(() => undefined);
    await es.close();
  }
});

describe('alarm-manager, as a process, against the real services', () => {
  it('turns events of every condition into lifecycles and audit entries, whatever order the partitions are read in', async () => {
    manager = startManagerProcess(iso, 'first', managerEnv());
    await eventually(
      async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
      { what: `/health of the alarm-manager (log: ${manager.logFile})`, timeoutMs: 60_000 },
    );
    await produce([
      { event: L3, partition: 1 },
      { event: L2, partition: 0 },
      { event: 'not an alarm event', partition: 0 },
      { event: R1, partition: 1 },
      { event: R1, partition: 1 }, // at-least-once: the same bytes again
      { event: N1, partition: 2 },
      { event: C1, partition: 0 },
      { event: N2, partition: 1 },
      { event: L1, partition: 2 },
    ]);
    const events = await eventually(
      async () => {
        const rows = (await db(APP_TABLES.alarmEvent).select('event_id', 'status')) as Array<{
          event_id: string;
          status: string;
        }>;
        return rows.length === 7 && rows.every((r) => r.status === 'applied') ? rows : undefined;
      },
      { what: `7 events applied (log: ${manager.logFile})`, timeoutMs: 60_000 },
    );
    expect(events.map((e) => e.event_id).sort()).toEqual(
      [L1, L2, L3, R1, N1, N2, C1].map((e) => e.id).sort(),
    );

    const alarms = (await db(APP_TABLES.alarm)
      .select('alarm_id', 'condition', 'state', 'level', 'peak_level')
      .orderBy('condition')) as Array<Record<string, string>>;
    expect(alarms).toEqual([
      {
        alarm_id: C1.id,
        condition: 'clock_skew',
        state: 'active_unacknowledged',
        level: 'alert',
        peak_level: 'alert',
      },
      {
        alarm_id: L1.id,
        condition: 'level',
        state: 'cleared_unacknowledged',
        level: 'none',
        peak_level: 'alarm',
      },
      {
        alarm_id: N1.id,
        condition: 'no_data',
        state: 'cleared_unacknowledged',
        level: 'none',
        peak_level: 'alarm',
      },
      {
        alarm_id: R1.id,
        condition: 'rate',
        state: 'active_unacknowledged',
        level: 'alarm',
        peak_level: 'alarm',
      },
    ]);
    const audit = (await db(APP_TABLES.alarmAudit)
      .select('alarm_id', 'action', 'from_level', 'to_level', 'actor', 'event_id')
      .where({ alarm_id: L1.id })
      .orderBy('id')) as Array<Record<string, string>>;
    expect(audit.map((a) => [a.action, a.from_level, a.to_level, a.actor, a.event_id])).toEqual([
      ['raise', 'none', 'alert', 'system', L1.id],
      ['raise', 'alert', 'alarm', 'system', L2.id],
      ['clear', 'alarm', 'none', 'system', L3.id],
    ]);
    expect(await db(APP_TABLES.alarmAudit).count({ n: '*' }).first()).toEqual({ n: '7' });

    const metrics = await metricsText();
    expect(metrics).toMatch(
      /alarm_manager_events_total\{outcome="invalid",service="alarm-manager"\} 1/,
    );
    expect(metrics).toMatch(
      /alarm_manager_events_total\{outcome="duplicate",service="alarm-manager"\} 1/,
    );
  });

  it('queues one notification per transition and route, by level and condition', async () => {
    const rows = await outboxRows();
    const per = (route: string) => rows.filter((r) => r.route_id === routeIds[route]).length;
    // Webhook: all 7 transitions; mail: those at alarm level (L2, L3, R1, N1, N2); the refusing
    // webhook: clock skew only (C1); the dead one: rate only (R1).
    expect([per('hook'), per('mail'), per('refused'), per('down')]).toEqual([7, 5, 1, 1]);
    expect(new Set(rows.map((r) => `${r.route_id}/${r.idempotency_key}`)).size).toBe(rows.length);
  });

  it('delivers each notification exactly once by idempotency key and Message-ID across a SIGKILL while sending', async () => {
    await eventually(
      async () =>
        (await outboxRows()).every((r) => r.status === 'sent' || r.status === 'failed')
          ? true
          : undefined,
      { what: 'the first notifications settled', timeoutMs: 60_000 },
    );
    await produce([
      { event: P2, partition: 0 },
      { event: R2, partition: 1 },
      { event: C2, partition: 2 },
    ]);
    // The receivers hold every answer 1.5 s: kill while a webhook of the new ones is answered.
    await eventually(() => (webhooks.inFlight('/ok') > 0 ? true : undefined), {
      what: 'a webhook in flight',
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    await (manager as ManagerProcess).kill('SIGKILL');
    // Received, and never answered to the process that sent them.
    const inFlightAtKill = { webhooks: webhooks.inFlight('/ok'), mails: mail.inFlight() };
    manager = startManagerProcess(iso, 'after-kill', managerEnv());

    const settled = await eventually(
      async () => {
        const rows = await outboxRows();
        const done = rows.every((r) => r.status === 'sent' || r.status === 'failed');
        return done && rows.length === 21 ? rows : undefined;
      },
      { what: `every notification settled (log: ${manager.logFile})`, timeoutMs: 90_000 },
    );

    const hookKeys = settled
      .filter((r) => r.route_id === routeIds['hook'])
      .map((r) => r.idempotency_key);
    expect(hookKeys).toHaveLength(10);
    const received = webhooks.deliveries.filter((d) => d.path === '/ok');
    expect(new Set(received.map((d) => d.idempotencyKey))).toEqual(new Set(hookKeys));
    expect(received.every((d) => d.signatureValid)).toBe(true);
    expect(received.every((d) => JSON.parse(d.body).idempotency_key === d.idempotencyKey)).toBe(
      true,
    );

    const domain = addressDomain(FROM);
    const mailIds = settled
      .filter((r) => r.route_id === routeIds['mail'])
      .map((r) => messageIdFor(r.idempotency_key, r.route_id, domain));
    expect(mailIds).toHaveLength(7);
    expect(new Set(mail.deliveries.map((d) => d.messageId))).toEqual(new Set(mailIds));
    expect(mail.deliveries.every((d) => d.to.length === 2)).toBe(true);

    // Honest raw counts: what was in flight at the kill reached its receiver and was sent again
    // once the dead process's lease ended (same key, same Message-ID): at-least-once.
    const raw = { webhooks: received.length, mails: mail.deliveries.length };
    process.stdout.write(
      `delivery across SIGKILL: in flight at the kill ${JSON.stringify(inFlightAtKill)}; ` +
        `raw webhooks ${raw.webhooks} for ${hookKeys.length} keys, ` +
        `raw mails ${raw.mails} for ${mailIds.length} Message-IDs\n`,
    );
    expect(raw.webhooks).toBeGreaterThan(hookKeys.length);
    expect(raw.webhooks - hookKeys.length).toBeLessThanOrEqual(inFlightAtKill.webhooks);
    expect(raw.mails - mailIds.length).toBeLessThanOrEqual(inFlightAtKill.mails);

    const byRoute = (route: string) => settled.filter((r) => r.route_id === routeIds[route]);
    expect(byRoute('hook').every((r) => r.status === 'sent')).toBe(true);
    expect(byRoute('mail').every((r) => r.status === 'sent')).toBe(true);
    // Refused for good at the first answer (a second attempt only if the kill cut the first);
    // unreachable until the attempts ran out.
    for (const r of byRoute('refused')) {
      expect([r.status, r.last_error]).toEqual(['failed', 'HTTP 400 Bad Request']);
      expect(r.attempts).toBeLessThanOrEqual(2);
    }
    expect(byRoute('down').map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 3],
      ['failed', 3],
    ]);
    expect(byRoute('down')[0]?.last_error).toMatch(/fetch failed/);
  });

  it('keeps the audit log append-only, for the app role and the owner alike', async () => {
    const asApp = createAppDatabase({
      connectionString: services.database.url,
      schema: iso.schema,
      role: 'geostream_operator',
      applicationName: 'alarm-manager-test',
    });
    try {
      for (const attempt of [
        () => asApp(APP_TABLES.alarmAudit).update({ comment: 'rewritten' }),
        () => asApp(APP_TABLES.alarmAudit).delete(),
        () => db(APP_TABLES.alarmAudit).update({ comment: 'rewritten' }),
        () => db(APP_TABLES.alarmAudit).delete(),
        // Cascade would empty the outboxes first: the trigger refuses the audit log's part.
        () => db.raw('truncate ?? cascade', [APP_TABLES.alarmAudit]),
      ])
        await expect(attempt()).rejects.toMatchObject({ code: '42501' });
      // Appending is what the app role may do.
      expect(await asApp(APP_TABLES.alarmAudit).count({ n: '*' }).first()).toEqual({ n: '10' });
    } finally {
      await asApp.destroy();
    }
  });

  (services.elasticsearch.enabled ? it : it.skip)(
    'indexes every alarm and transition in the alerts index, by alarm id and audit id',
    async () => {
      const client = es as Client;
      const counts = await eventually(
        async () => {
          await client.indices.refresh({ index: iso.index });
          const response = await client.search<{ kind: string; alarm_id: string; state?: string }>({
            index: iso.index,
            size: 100,
          });
          const docs = response.hits.hits.map((hit) => ({ id: hit._id, ...hit._source }));
          const transitions = docs.filter((d) => d.kind === 'transition');
          const alarms = docs.filter((d) => d.kind === 'alarm');
          return transitions.length === 10 && alarms.length === 5
            ? { transitions, alarms }
            : undefined;
        },
        { what: 'the alerts index', timeoutMs: 30_000 },
      );
      expect(counts.alarms.map((a) => a.id).sort()).toEqual(
        [C1.id, L1.id, N1.id, P2.id, R1.id].sort(),
      );
      expect(counts.alarms.find((a) => a.id === L1.id)?.state).toBe('cleared_unacknowledged');
      expect(counts.transitions.every((t) => /^audit-\d+$/.test(t.id ?? ''))).toBe(true);
      const template = await client.indices.getIndexTemplate({ name: iso.index });
      expect(template.index_templates[0]?.index_template.index_patterns).toEqual([iso.index]);
    },
  );

  it('answers /health in the shape of the other apps and stops cleanly on SIGTERM', async () => {
    const body = await eventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        const json = (await response.json()) as { service: string; status: string; checks: object };
        return json.status === 'ok' ? json : undefined;
      },
      { what: 'a healthy alarm-manager', timeoutMs: 20_000 },
    ).catch(async (error: unknown) => {
      const now = await (await fetch(`http://127.0.0.1:${port}/health`)).text();
      throw new Error(`${(error as Error).message}: ${now}`);
    });
    expect(body.service).toBe('alarm-manager');
    expect(Object.keys(body.checks)).toEqual(expect.arrayContaining(['database', 'kafka']));
    expect(await (manager as ManagerProcess).kill('SIGTERM')).toBe(0);
  });

  // Last: its alarm would change the counts the tests above assert.
  it('sends an e-mail queued during an SMTP outage once the server is back, exactly once', async () => {
    // A manager whose SMTP server is down (nothing listens on its port), retrying patiently.
    await (manager as ManagerProcess).kill('SIGTERM');
    await (manager as ManagerProcess).exited;
    const smtpPort = await freePort();
    manager = startManagerProcess(iso, 'smtp-outage', {
      ...managerEnv(),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      NOTIFY_MAX_ATTEMPTS: '200',
    });
    const before = new Set((await outboxRows()).map((r) => r.id));
    await produce([{ event: P3, partition: 0 }]);
    const queued = await eventually(
      async () => {
        const row = (await outboxRows()).find(
          (r) => !before.has(r.id) && r.route_id === routeIds['mail'],
        );
        return row !== undefined && row.attempts >= 2 ? row : undefined;
      },
      { what: `the e-mail retried during the outage (log: ${manager.logFile})`, timeoutMs: 60_000 },
    );
    expect(queued.status).not.toBe('sent');
    expect(queued.last_error).toMatch(/ECONNREFUSED/);

    const back = await startSmtpReceiver({ port: smtpPort });
    try {
      const sent = await eventually(
        async () => {
          const row = (await outboxRows()).find((r) => r.id === queued.id);
          return row?.status === 'sent' ? row : undefined;
        },
        { what: 'the e-mail sent once SMTP is back', timeoutMs: 60_000 },
      );
      const messageId = messageIdFor(sent.idempotency_key, sent.route_id, addressDomain(FROM));
      expect(back.deliveries.map((d) => d.messageId)).toEqual([messageId]);
      expect(mail.deliveries.some((d) => d.messageId === messageId)).toBe(false);
    } finally {
      await back.close();
    }
  });
});
