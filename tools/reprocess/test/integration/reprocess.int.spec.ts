import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import knex, { type Knex } from 'knex';
import { GeostreamError } from '@geostream/platform';
import { eventually, testServices } from '@geostream/platform/testing';
import type { VerificationReport } from '../../src/verify-report';
import { runCommand } from '../../src/run';
import { verify } from '../../src/commands/index';
import { openContext } from '../../src/context';
import { readReprocessConfig } from '../../src/config';
import { freePort, stopProcessor } from '../../src/processor-child';
import { findVersion } from '../../src/registry';

/**
 * The whole reprocessing cycle against the real Kafka, PostgreSQL and Elasticsearch, with the
 * built stream-processor and dashboard as processes: the live deployment (default levels, 10 s
 * windows) is adopted as v1 and becomes current; v2 replays the same log with other trigger levels and 20 s windows,
 * is verified and switched to while a loop of dashboard and search requests runs (none may
 * fail); rollback brings v1 back; v2 is cleaned up. And the refusals, each leaving readers where
 * they were.
 */

const ROOT = path.resolve(__dirname, '../../../..');
const services = testServices();
const id = randomBytes(5).toString('hex');
const dir = mkdtempSync(path.join(tmpdir(), 'reprocess-'));
const siteConfigFile = path.join(dir, 'levels.json');
const readSchema = `rp_${id}_read`;
const readPrefix = `rp_${id}_read`;
const rawTopic = `rp-${id}.raw`;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  RAW_TOPIC: rawTopic,
  CONSUMER_GROUP: `rp-${id}`,
  PG_SCHEMA: `rp_${id}`,
  ES_INDEX_PREFIX: `rp_${id}`,
  OUTPUT_TOPIC_PREFIX: `rp-${id}.`,
  DLQ_TOPIC: `rp-${id}.dlq`,
  ALERTS_TOPIC: `rp-${id}.alerts`,
  READ_PG_SCHEMA: readSchema,
  READ_ES_INDEX_PREFIX: readPrefix,
  REPROCESS_LOG_DIR: dir,
  TOPIC_PARTITIONS: '2',
  // Above CHECKPOINT_INTERVAL_MS below, as on a live site (the default 30 s above the default 10 s).
  REPROCESS_CAUGHT_UP_MS: '5000',
  LOG_LEVEL: 'warn',
};
// Both versions close an instrument's last window as soon as the log has gone quiet, and
// checkpoint often (the switch happens while the log is written).
const QUIET = [
  '--set',
  'IDLE_FLUSH_MS=1000',
  '--set',
  'MAX_QUIET_WAIT_MS=1000',
  '--set',
  'CHECKPOINT_INTERVAL_MS=2000',
];

const INSTRUMENTS = [
  ['piezometer', 'PZ-1', 5812000, 320000],
  ['piezometer', 'PZ-2', 5812005, 320005],
  ['settlement_marker', 'SM-1', 5812010, 320010],
  ['water_standpipe', 'BH-1', 5812020, 320020],
] as const;
const READINGS_EACH = 60;
const STEP_MS = 2_000;

let db: Knex;
let es: Client;
let kafka: Kafka;
let dashboard: ChildProcess | undefined;
let deployment: ChildProcess | undefined;
let dashboardUrl = '';
let dashboardLog = '';
/** The versions the dashboard's live feed moved to, from its log. */
const liveFollowed = () =>
  [...dashboardLog.matchAll(/"version":"(\w+)"[^\n]*live feed follows the current version/g)].map(
    (m) => m[1],
  );
// Aligned to 20 s and 5 minutes in the past: every window is closed once the log goes quiet.
const startMs = Math.floor((Date.now() - 300_000) / 20_000) * 20_000;

async function cli(...argv: string[]): Promise<{ lines: string[]; exitCode: number }> {
  return cliWith(env, argv);
}

async function cliWith(
  withEnv: Record<string, string>,
  argv: string[],
): Promise<{ lines: string[]; exitCode: number }> {
  const lines: string[] = [];
  const { exitCode } = await runCommand(argv, withEnv, { out: (l) => lines.push(l) });
  return { lines, exitCode };
}

/** A paused processor never catches up: refused after a short wait. */
const impatient = { ...env, REPROCESS_CAUGHT_UP_MS: '1000' };

async function refusal(argv: string[], withEnv = env): Promise<GeostreamError> {
  const error = await cliWith(withEnv, argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GeostreamError))
    throw new Error(`expected a refusal of ${argv.join(' ')}`);
  return error;
}

/** Readings of every instrument every 2 s; piezometers ramp 100 -> ~218 kPa, under the defaults. */
async function produce(fromIndex: number, count: number): Promise<void> {
  // In a transaction, as the producer writes: the log then holds commit markers too.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: `rp-${id}-${fromIndex}`,
  });
  await producer.connect();
  const messages = [];
  for (let i = fromIndex; i < fromIndex + count; i++) {
    for (const [instrument, borehole, northing, easting] of INSTRUMENTS) {
      const at = startMs + i * STEP_MS;
      const reading =
        instrument === 'piezometer'
          ? 100 + i * 2
          : instrument === 'settlement_marker'
            ? -i / 10
            : 70;
      messages.push({
        key: `${instrument}:${borehole}`,
        // BH-1's logger runs 10 s ahead of the log: fine by the default MAX_EVENT_TIME_AHEAD_MS.
        timestamp: String(borehole === 'BH-1' ? at - 10_000 : at + 500),
        value: JSON.stringify({
          borehole_number: borehole,
          instrument,
          surface_level: 75,
          northing,
          easting,
          reading,
          timestamp: new Date(at).toISOString(),
        }),
      });
    }
  }
  const transaction = await producer.transaction();
  await transaction.send({ topic: rawTopic, acks: -1, messages });
  await transaction.commit();
  await producer.disconnect();
}

let liveProducer: Producer | undefined;

/** One reading of a live extensometer, in a transaction, timestamped now. */
async function produceLive(i: number): Promise<void> {
  if (liveProducer === undefined) {
    liveProducer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `rp-${id}-live`,
    });
    await liveProducer.connect();
  }
  const at = Date.now();
  const transaction = await liveProducer.transaction();
  await transaction.send({
    topic: rawTopic,
    acks: -1,
    messages: [
      {
        key: 'extensometer:EX-1',
        timestamp: String(at),
        value: JSON.stringify({
          borehole_number: 'EX-1',
          instrument: 'extensometer',
          surface_level: 75,
          northing: 5812030,
          easting: 320030,
          reading: 5 + (i % 10) / 10,
          timestamp: new Date(at - 200).toISOString(),
        }),
      },
    ],
  });
  await transaction.commit();
}

async function dashboardHistory(): Promise<
  { window_start: string; window_end: string; trigger_level: string }[]
> {
  const answer = await fetch(`${dashboardUrl}/api/history?type=piezometer&limit=500`);
  if (answer.status !== 200)
    throw new Error(`dashboard answered ${answer.status}: ${await answer.text()}`);
  return ((await answer.json()) as { rows: never[] }).rows;
}

async function searchHits(): Promise<{ _index: string }[]> {
  const answer = await es.search({ index: `${readPrefix}-piezometer`, size: 500 });
  return answer.hits.hits as { _index: string }[];
}

const widthsMs = (rows: { window_start: string; window_end: string }[]) => [
  ...new Set(rows.map((r) => Date.parse(r.window_end) - Date.parse(r.window_start))),
];

beforeAll(async () => {
  db = knex({ client: 'pg', connection: services.database.url, pool: { min: 0, max: 2 } });
  es = new Client({ node: services.elasticsearch.enabled ? services.elasticsearch.url : '' });
  kafka = new Kafka({ brokers: [...services.kafka.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: rawTopic, numPartitions: 2 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  writeFileSync(
    siteConfigFile,
    JSON.stringify({
      version: 1,
      site: 'reprocess test',
      defaults: { piezometer: { rising: { alert: 150, alarm: 180, action: 210 } } },
    }),
  );
  await produce(0, READINGS_EACH);
});

afterAll(async () => {
  await liveProducer?.disconnect();
  if (dashboard?.pid !== undefined) await stopProcessor(dashboard.pid);
  if (deployment?.pid !== undefined) await stopProcessor(deployment.pid);
  const ctx = await openContext(readReprocessConfig(env), { out: () => undefined });
  for (const version of ['v1', 'v2', 'v3']) {
    const row = await findVersion(ctx.db, readSchema, version);
    if (row?.pid) await stopProcessor(row.pid);
  }
  await ctx.close();
  for (const schema of [`rp_${id}`, `rp_${id}_v2`, `rp_${id}_v3`, readSchema, `rp_${id}_app`])
    await db.raw(`drop schema if exists "${schema}" cascade`);
  await es.indices.delete({ index: `rp_${id}*`, ignore_unavailable: true, allow_no_indices: true });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`rp-${id}`));
  await admin.deleteTopics({ topics });
  await admin.deleteGroups([`rp-${id}`, `rp-${id}-v2`, `rp-${id}-v3`]).catch(() => undefined);
  await admin.disconnect();
  await db.destroy();
  await es.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reprocesses, verifies, switches every reader with no failed request, rolls back and cleans up', async () => {
  // The live deployment (the default levels, 10 s windows), run as operations run it, adopted
  // as v1: it becomes what readers see.
  deployment = spawn(process.execPath, [path.join(ROOT, 'dist/apps/stream-processor/main.js')], {
    env: {
      ...env,
      IDLE_FLUSH_MS: '1000',
      CHECKPOINT_INTERVAL_MS: '2000',
      MAX_QUIET_WAIT_MS: '1000',
      PORT: String(await freePort()),
    },
    stdio: 'ignore',
  });
  await cli('adopt', 'v1');
  expect((await refusal(['adopt', 'live'])).code).toBe('REPROCESS_VERSION_EXISTS');
  await eventually(async () => ((await progressLag('v1')) === 0 ? true : undefined), {
    what: 'the deployment caught up',
  });
  await cli('switch', 'v1');

  const dashboardPort = await freePort();
  dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  // The same environment as the tool and the deployment (PG_SCHEMA is the deployment's): the
  // dashboard reads READ_PG_SCHEMA.
  dashboard = spawn(process.execPath, [path.join(ROOT, 'dist/apps/batch-dashboard/main.js')], {
    env: {
      ...env,
      LIVE_FOLLOW_INTERVAL_MS: '200',
      APP_PG_SCHEMA: `rp_${id}_app`,
      PORT: String(dashboardPort),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  dashboard.stdout?.setEncoding('utf8').on('data', (chunk: string) => (dashboardLog += chunk));
  await eventually(() => fetch(`${dashboardUrl}/health`).then((r) => (r.ok ? true : undefined)), {
    what: 'the dashboard',
  });
  const before = await dashboardHistory();
  expect(widthsMs(before)).toEqual([10_000]);
  expect(before.every((r) => r.trigger_level === 'none')).toBe(true);
  expect((await searchHits()).every((h) => h._index === `rp_${id}-piezometer`)).toBe(true);

  // v2: other trigger levels and 20 s windows, replayed from the same log.
  const v2 = await cli(
    'start',
    'v2',
    ...QUIET,
    '--set',
    'WINDOW_SIZE_MS=20000',
    '--set',
    `SITE_CONFIG_FILE=${siteConfigFile}`,
  );
  expect(v2.lines.join('\n')).toMatch(/lag \d+ records.*readings\/s/);
  expect(v2.lines.at(-1)).toMatch(/v2 has caught up/);

  // Refusals: nothing is started, registered or switched.
  expect((await refusal(['start', 'v2', ...QUIET])).code).toBe('REPROCESS_VERSION_EXISTS');
  const refused = await refusal([
    'start',
    'v3',
    '--set',
    'WINDOW_SIZE_MS=soon',
    '--set',
    'WINDOW_KIND=sliding',
  ]);
  expect(refused.code).toBe('REPROCESS_SETTING_REFUSED');
  expect(refused.message).toMatch(/WINDOW_SIZE_MS/);
  expect(refused.message).toMatch(/WINDOW_KIND/);
  expect((await cli('list')).lines.join('\n')).not.toMatch(/^v3/m);
  expect((await refusal(['start', 'v3', '--set', 'PG_SCHEMA=public'])).code).toBe(
    'REPROCESS_SETTING_REFUSED',
  );
  expect((await refusal(['switch', 'v2'])).code).toBe('REPROCESS_NOT_VERIFIED');

  // A version that has not caught up (its processor paused while the log grows) is refused.
  const v2row = await registryRow('v2');
  process.kill(v2row.pid, 'SIGSTOP');
  try {
    await produce(READINGS_EACH, 10);
    expect((await refusal(['switch', 'v2'], impatient)).code).toBe('REPROCESS_NOT_CAUGHT_UP');
    expect((await refusal(['verify', 'v2'], impatient)).code).toBe('REPROCESS_NOT_CAUGHT_UP');
  } finally {
    process.kill(v2row.pid, 'SIGCONT');
  }
  expect(widthsMs(await dashboardHistory())).toEqual([10_000]);
  await cli('status', 'v2', '--follow');
  await eventually(async () => ((await progressLag('v1')) === 0 ? true : undefined), {
    what: 'v1 caught up',
  });

  const report = await verifyReport('v2');
  expect(report.passed).toBe(true);
  expect(report.accounting.balanced).toBe(true);
  expect(report.accounting.readings).toBe(INSTRUMENTS.length * (READINGS_EACH + 10));
  expect(report.comparison?.coverage.candidate.instruments).toEqual(
    report.comparison?.coverage.current.instruments,
  );
  expect(report.comparison?.windows.onlyInCandidate).toBeGreaterThan(0);
  expect(report.comparison?.alerts.added).toBeGreaterThan(0);
  expect(report.comparison?.levels.current['alert'] ?? 0).toBe(0);
  expect(report.comparison?.levels.candidate['alert']).toBeGreaterThan(0);

  // A version that loses an instrument (its clock is judged broken) fails verification, and the
  // switch to it is refused, saying why; it is then cleaned up.
  await cli('start', 'v3', ...QUIET, '--set', 'MAX_EVENT_TIME_AHEAD_MS=1000');
  const failed = await cli('verify', 'v3');
  expect(failed.exitCode).toBe(2);
  expect(failed.lines.join('\n')).toMatch(/have no window in v3: water_standpipe:BH-1/);
  const notVerified = await refusal(['switch', 'v3']);
  expect(notVerified.code).toBe('REPROCESS_NOT_VERIFIED');
  expect(notVerified.message).toMatch(/water_standpipe:BH-1/);
  await cli('cleanup', 'v3', '--yes');
  expect(widthsMs(await dashboardHistory())).toEqual([10_000]);

  // The switch, under a loop of dashboard and search requests, while a logger keeps writing to
  // the raw log (so no version's lag is ever exactly 0).
  let writing = true;
  let written = 0;
  const logger = (async () => {
    for (let i = 0; writing; i++) {
      await produceLive(i);
      written++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await eventually(() => (written >= 10 ? true : undefined), { what: 'a live logger writing' });
  const failures: string[] = [];
  let requests = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      requests++;
      await Promise.all([
        dashboardHistory().catch((e: unknown) => failures.push(`dashboard: ${String(e)}`)),
        searchHits().catch((e: unknown) => failures.push(`search: ${String(e)}`)),
      ]);
    }
  })();
  try {
    await cli('switch', 'v2');
    // A few more rounds after the switch, so the loop saw both sides.
    const after = requests + 5;
    await eventually(() => (requests >= after ? true : undefined), {
      what: 'requests after the switch',
    });
  } finally {
    running = false;
    await loop;
  }
  expect(failures).toEqual([]);
  // The live feed moved to v2's topics by itself.
  await eventually(() => (liveFollowed().includes('v2') ? true : undefined), {
    what: 'the live feed on v2',
  });
  const switched = await dashboardHistory();
  expect(widthsMs(switched)).toEqual([20_000]);
  expect(switched.some((r) => r.trigger_level !== 'none')).toBe(true);
  expect((await searchHits()).every((h) => h._index === `rp_${id}_v2-piezometer`)).toBe(true);

  // Rollback: the old values again, in one step.
  await cli('rollback');
  writing = false;
  await logger;
  await eventually(() => (liveFollowed().at(-1) === 'v1' ? true : undefined), {
    what: 'the live feed back on v1',
  });
  expect(widthsMs(await dashboardHistory())).toEqual([10_000]);
  expect((await searchHits()).every((h) => h._index === `rp_${id}-piezometer`)).toBe(true);

  // Cleanup: only with confirmation, never the current version.
  expect((await refusal(['cleanup', 'v2'])).code).toBe('REPROCESS_CONFIRMATION_REQUIRED');
  expect((await refusal(['cleanup', 'v1', '--yes'])).code).toBe('REPROCESS_IS_CURRENT');
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const ofV2 = (topics: string[]) => topics.filter((t) => t.startsWith(`rp-${id}`) && /v2/.test(t));
  const v2Topics = ofV2(await kafkaAdmin.listTopics());
  expect(v2Topics.length).toBeGreaterThan(0);
  await cli('cleanup', 'v2', '--yes');
  // Its topics and its consumer group are gone too, v1's are not.
  expect(ofV2(await kafkaAdmin.listTopics())).toEqual([]);
  const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId);
  expect(groups).not.toContain(`rp-${id}-v2`);
  expect(groups).toContain(`rp-${id}`);
  await kafkaAdmin.disconnect();
  const schemas = await db.raw<{ rows: unknown[] }>(
    'select 1 from pg_namespace where nspname = ?',
    [`rp_${id}_v2`],
  );
  expect(schemas.rows).toEqual([]);
  expect(await es.indices.exists({ index: `rp_${id}_v2-piezometer` })).toBe(false);
  expect((await refusal(['rollback'])).code).toBe('REPROCESS_NO_PREVIOUS');
  expect(widthsMs(await dashboardHistory())).toEqual([10_000]);
});

async function registryRow(version: string): Promise<{ pid: number }> {
  const ctx = await openContext(readReprocessConfig(env), { out: () => undefined });
  try {
    const row = await findVersion(ctx.db, readSchema, version);
    if (!row?.pid) throw new Error(`no pid for ${version}`);
    return { pid: row.pid };
  } finally {
    await ctx.close();
  }
}

async function progressLag(version: string): Promise<number> {
  const lines: string[] = [];
  await runCommand(['status', version], env, { out: (l) => lines.push(l) });
  const match = /lag (\d+) records/.exec(lines.join('\n'));
  return Number(match?.[1] ?? -1);
}

async function verifyReport(version: string): Promise<VerificationReport> {
  const ctx = await openContext(readReprocessConfig(env), { out: () => undefined });
  try {
    return await verify(ctx, version);
  } finally {
    await ctx.close();
  }
}
