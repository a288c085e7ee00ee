import type { FastifyInstance } from 'fastify';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createPostgresSink } from '@geostream/sinks';
import { authorizeByRole } from '../../src/auth/principal';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { call, createTestAppSchema, signInAs, type TestAppSchema } from '../support/operations';
import { makeWindow } from '../support/records';

/**
 * The plan's colours follow the alarms (the app schema) as well as the latest windows: against
 * a real PostgreSQL, with alarms applied as the alarm-manager does and one shelved through the
 * API. A suite of its own: its alarms and shelving would change other suites' audit logs.
 */
const NOW = Date.UTC(2026, 5, 1, 10);
let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;

beforeAll(async () => {
  pg = await createTestSchema('dash_plan_alarms');
  ops = await createTestAppSchema('dash_plan_app');
  await ops.addUser('eve', 'engineer');
  ({ app } = await appFor(pg, {
    clock: () => NOW,
    authorize: authorizeByRole,
    operations: { db: ops.db, schema: ops.schema, sessionMaxAgeS: 3_600 },
  }));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await ops?.drop();
  await pg?.drop();
});

it('colours an instrument by its active alarms: a rate alarm’s level, a no_data alarm, not a shelved one', async () => {
  // Each below every level in its latest window.
  const instruments = [
    ['settlement_marker', 'SM-RATE'],
    ['extensometer', 'EX-SILENT'],
    ['piezometer', 'P-SHELVED'],
    ['piezometer', 'P-QUIET'],
  ] as const;
  const sink = createPostgresSink({ connectionString: pg.url, schema: pg.schema });
  await sink.writeBatch({
    windows: instruments.map(([instrument, borehole]) =>
      makeWindow({ instrument, borehole, startMs: NOW - 60_000, mean: 1 }),
    ),
  });
  await sink.close();
  const rate = exampleAlarmEvent('rate', {
    atMs: NOW - 30_000,
    instrument: 'settlement_marker',
    borehole: 'SM-RATE',
    direction: 'falling',
    to: 'action',
  });
  const silent = exampleAlarmEvent('no_data', {
    atMs: NOW - 30_000,
    instrument: 'extensometer',
    borehole: 'EX-SILENT',
  });
  const shelved = exampleAlarmEvent('level', { atMs: NOW - 30_000, borehole: 'P-SHELVED' });
  await ops.applyEvents([rate, silent, shelved]);
  const eve = await signInAs(app, 'eve');
  const shelve = await call(app, 'POST', '/api/alarms/shelve', {
    agent: eve,
    body: {
      alarm_id: shelved.id,
      until: new Date(NOW + 3_600_000).toISOString(),
      reason: 'sensor being re-grouted',
    },
  });
  expect(shelve.status).toBe(200);

  const { status, body } = await call(app, 'GET', '/api/plan/instruments?limit=5000', {
    agent: eve,
  });
  expect(status).toBe(200);
  const columns = body['columns'];
  const stateOf = (id: string) => {
    const i = (columns['id'] as string[]).indexOf(id);
    return { state: columns['state'][i], alarm_level: columns['alarm_level'][i] };
  };
  expect(stateOf('SM-RATE')).toEqual({ state: 'action', alarm_level: 'action' });
  expect(stateOf('EX-SILENT')).toEqual({ state: 'no_data', alarm_level: 'none' });
  expect(stateOf('P-SHELVED')).toEqual({ state: 'normal', alarm_level: 'none' });
  expect(stateOf('P-QUIET')).toEqual({ state: 'normal', alarm_level: 'none' });
});
