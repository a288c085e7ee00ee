import { createServer } from 'node:net';
import path from 'node:path';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { createKafka, createLogger } from '@geostream/platform';
import { testServices, uniqueName } from '@geostream/platform/testing';
import knex from 'knex';
import { APPS, startApps, type AppLine, type AppName } from '../apps';

/**
 * The five apps as `npm start` runs them (the same startApps, on the shared stack), each with
 * its own topics, consumer group, PostgreSQL schema, Elasticsearch indices and ports, for one
 * minute. A healthy start writes nothing at warn or above and nothing on stderr (a Node
 * warning, a stack trace), every app's /health answers ok in the one shape, and readings reach
 * PostgreSQL as windows.
 */
/** The run lasts a minute from the first app's start, and at least half a minute after the last. */
const RUN_MS = 60_000;
const AFTER_READY_MS = 30_000;
const services = testServices();
const repoRoot = path.resolve(__dirname, '../../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('npm start on a healthy stack', () => {
  const id = uniqueName('healthy');
  const isolation = {
    RAW_TOPIC: `${id}-raw`,
    DLQ_TOPIC: `${id}-dlq`,
    ALERTS_TOPIC: `${id}-alerts`,
    OUTPUT_TOPIC_PREFIX: `${id}-`,
    CONSUMER_GROUP: id,
    PRODUCER_TRANSACTIONAL_ID: id,
    PG_SCHEMA: id.replace(/-/g, '_'),
    ES_INDEX_PREFIX: id,
    ALARM_MANAGER_GROUP: `${id}-alarms`,
    APP_PG_SCHEMA: `${id.replace(/-/g, '_')}_app`,
    ALERTS_INDEX: `${id}-alerts`,
  };

  afterAll(async () => {
    const kafka = createKafka(services.kafka, createLogger('healthy-start', 'silent'));
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(id));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([id, isolation.ALARM_MANAGER_GROUP]).catch(() => undefined);
    await admin.disconnect();
    const db = knex({ client: 'pg', connection: services.database.url });
    await db.raw('drop schema if exists ?? cascade', [isolation.PG_SCHEMA]);
    await db.raw('drop schema if exists ?? cascade', [isolation.APP_PG_SCHEMA]);
    await db.destroy();
    if (services.elasticsearch.enabled) {
      const es = new ElasticsearchClient({ node: services.elasticsearch.url });
      await es.indices.delete({ index: `${id}-*`, allow_no_indices: true }).catch(() => undefined);
      await es.indices.deleteIndexTemplate({ name: isolation.ALERTS_INDEX }).catch(() => undefined);
      await es.close();
    }
  });

  it('runs the five apps for a minute with no warn or error line, every /health ok', async () => {
    const ports = Object.fromEntries(
      await Promise.all(APPS.map(async (app) => [app, await freePort()] as const)),
    ) as Record<AppName, number>;
    const lines: AppLine[] = [];
    const exits: string[] = [];
    const apps = startApps({
      repoRoot,
      env: { ...process.env, ...isolation, LOG_LEVEL: 'info' },
      appEnv: {
        'mock-api': { PORT: String(ports['mock-api']) },
        producer: {
          PORT: String(ports.producer),
          MOCK_API_URL: `http://127.0.0.1:${ports['mock-api']}`,
        },
        'stream-processor': { PORT: String(ports['stream-processor']) },
        'alarm-manager': { PORT: String(ports['alarm-manager']) },
        'batch-dashboard': { PORT: String(ports['batch-dashboard']) },
      },
      colour: false,
      onLine: (line) => lines.push(line),
      onExit: (app, code, signal) => exits.push(`${app}: ${signal ?? code}`),
    });
    const started = Date.now();
    const health: Record<string, unknown> = {};
    try {
      await apps.ready;
      const left = Math.max(started + RUN_MS - Date.now(), AFTER_READY_MS);
      await new Promise((resolve) => setTimeout(resolve, left));
      for (const app of APPS) {
        const response = await fetch(`http://127.0.0.1:${ports[app]}/health`);
        health[app] = { http: response.status, ...((await response.json()) as object) };
      }
    } finally {
      await apps.stop();
    }

    const loud = lines.filter((l) => l.stream === 'stderr' || (l.level ?? 0) >= 40);
    expect(loud.map((l) => l.display)).toEqual([]);
    expect(exits).toEqual([]);
    for (const app of APPS) {
      expect(health[app]).toEqual({
        http: 200,
        service: app,
        status: 'ok',
        checks: expect.any(Object),
      });
    }
    // Every line came through readable: JSON log lines with a level, nothing else on stdout.
    expect(lines.filter((l) => l.level === undefined).map((l) => l.display)).toEqual([]);
    // And the pipeline ran: windows of the simulated readings reached PostgreSQL.
    const db = knex({ client: 'pg', connection: services.database.url });
    try {
      const [row] = await db
        .withSchema(isolation.PG_SCHEMA)
        .from('reading_window')
        .count<{ count: string }[]>('* as count');
      expect(Number(row?.count)).toBeGreaterThan(0);
    } finally {
      await db.destroy();
    }
  });
});
