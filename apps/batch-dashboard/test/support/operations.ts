import { applyAlarmEvent } from '@geostream/alerting';
import { alarmPointKeyOf, type AlarmEvent } from '@geostream/instrument-schemas';
import { testServices, uniqueName } from '@geostream/platform/testing';
import { createAlarmStore, createAppDatabase, migrateAppSchema } from '@geostream/sinks/app';
import type { UserRole } from '@geostream/sinks/names';
import type { FastifyInstance } from 'fastify';
import knexFactory, { type Knex } from 'knex';
import { createUserStore } from '../../src/auth/users';

/**
 * An app schema of the test's own (users, alarms, audit, notifications), migrated as the
 * alarm-manager and the dashboard do, used as the app role; with users and alarms seeded.
 */
export interface TestAppSchema {
  readonly schema: string;
  /** As the app role (what the dashboard uses). */
  readonly db: Knex;
  addUser(username: string, role: UserRole, password?: string): Promise<void>;
  /** Applies events as the alarm-manager would (no notification routes are involved here). */
  applyEvents(events: readonly AlarmEvent[]): Promise<void>;
  drop(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery';
export const APP_ROLE = 'geostream_operator';

export async function createTestAppSchema(prefix: string): Promise<TestAppSchema> {
  const { database } = testServices();
  const schema = uniqueName(prefix).replace(/-/g, '_');
  await migrateAppSchema({ connectionString: database.url, schema, role: APP_ROLE });
  const db = createAppDatabase({
    connectionString: database.url,
    schema,
    role: APP_ROLE,
    applicationName: 'dashboard-test',
    poolMax: 4,
  });
  const users = createUserStore(db);
  const store = createAlarmStore(db, schema);
  return {
    schema,
    db,
    async addUser(username, role, password = TEST_PASSWORD) {
      await users.create({ username, displayName: `${username} (test)`, role, password });
    },
    async applyEvents(events) {
      for (const event of events)
        await store.transaction(async (tx) => {
          if (!(await tx.receiveEvent(event, 'test'))) return;
          const transition = applyAlarmEvent(await tx.lockPoint(alarmPointKeyOf(event)), event);
          if (transition !== undefined)
            await tx.writeTransition(transition, { notify: true, event });
          await tx.settleEvent(event.id, transition === undefined ? 'ignored' : 'applied');
        });
    },
    async drop() {
      await db.destroy();
      const owner = knexFactory({
        client: 'pg',
        connection: database.url,
        pool: { min: 0, max: 1 },
      });
      await owner.raw('drop schema if exists ?? cascade', [schema]).finally(() => owner.destroy());
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A signed-in user's cookie and CSRF token, as a browser would hold them. */
export interface Agent {
  cookie?: string;
  csrf?: string;
}

/** One request through inject(), as `agent` (the CSRF header on writes); the body parsed. */
export async function call(
  target: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: { agent?: Agent; body?: unknown; headers?: Record<string, string>; form?: string } = {},
): Promise<{ status: number; body: Json; headers: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.agent?.cookie) headers['cookie'] = options.agent.cookie;
  if (options.agent?.csrf && method !== 'GET') headers['x-csrf-token'] = options.agent.csrf;
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await target.inject({
    method,
    url,
    headers,
    ...(options.body !== undefined && { payload: options.body as object }),
    ...(options.form !== undefined && { payload: options.form }),
  });
  let body: Json = {};
  try {
    body = response.json() as Json;
  } catch {
    // HTML, or an empty 204
  }
  return { status: response.statusCode, body, headers: response.headers };
}

export const cookieOf = (headers: Record<string, unknown>): string =>
  String(headers['set-cookie'] ?? '').split(';')[0] ?? '';

/** Signs in (the user must exist) and returns the session's agent. */
export async function signInAs(
  target: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<Agent> {
  const { status, body, headers } = await call(target, 'POST', '/api/auth/login', {
    body: { username, password },
  });
  if (status !== 200) throw new Error(`sign-in of ${username} answered ${status}`);
  return { cookie: cookieOf(headers), csrf: body['csrf_token'] };
}
