import type { FastifyInstance } from 'fastify';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createLogger } from '@geostream/platform';
import { eventually, testServices } from '@geostream/platform/testing';
import { APP_TABLES, alarmChannel } from '@geostream/sinks/names';
import { startAlarmListener } from '../../src/alarms/alarm-listener';
import { authorizeByRole } from '../../src/auth/principal';
import { createLiveHub, type LiveEvent } from '../../src/live/live-hub';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  TEST_PASSWORD,
  call,
  cookieOf,
  createTestAppSchema,
  signInAs,
  type Agent,
  type TestAppSchema,
} from '../support/operations';

/**
 * Named users and alarms through the API (inject()), against a real PostgreSQL: the pipeline
 * schema of the sinks' migrations and an app schema of the suite's own, used as the app role.
 * Sign-in (throttled), sessions (expiry, sign-out, revocation), CSRF, roles (a viewer and the
 * wall token may look, not act), every alarm action and its refusals (nothing half-written),
 * the audit log (filters, keyset paging), notifications, users and routes administration, and
 * the live relay of committed transitions.
 */
const TOKEN = 'wall-screen-token-0123456789';
const T0 = Date.UTC(2026, 5, 1, 8);
let now = T0 + 3_600_000;
const SESSION_S = 3_600;

const level1 = exampleAlarmEvent('level', { atMs: T0, borehole: 'P-1', to: 'alarm' });
const rate1 = exampleAlarmEvent('rate', {
  atMs: T0 + 1_000,
  instrument: 'settlement_marker',
  borehole: 'SM-1',
  direction: 'falling',
  to: 'action',
});
const silence = exampleAlarmEvent('no_data', {
  atMs: T0,
  instrument: 'extensometer',
  borehole: 'EX-1',
});
const silenceEnd = exampleAlarmEvent('no_data', {
  atMs: T0 + 60_000,
  instrument: 'extensometer',
  borehole: 'EX-1',
  from: 'alarm',
  to: 'none',
  silentSinceMs: T0 - 3 * 3_600_000,
});

let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;
let tokenApp: FastifyInstance;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const signIn = (username: string, password = TEST_PASSWORD, target = app): Promise<Agent> =>
  signInAs(target, username, password);

const auditCount = async () =>
  Number(((await ops.db(APP_TABLES.alarmAudit).count({ n: '*' }).first()) as { n: string }).n);

beforeAll(async () => {
  pg = await createTestSchema('dash_ops');
  ops = await createTestAppSchema('dash_app');
  for (const [user, role] of [
    ['ada', 'admin'],
    ['eve', 'engineer'],
    ['val', 'viewer'],
    ['max', 'engineer'],
  ] as const)
    await ops.addUser(user, role);
  await ops.applyEvents([level1, rate1, silence, silenceEnd]);
  const operations = {
    db: ops.db,
    schema: ops.schema,
    sessionMaxAgeS: SESSION_S,
    throttle: { windowMs: 600_000, maxFailuresPerAccount: 3, maxFailuresPerAddress: 50 },
  };
  ({ app } = await appFor(pg, { clock: () => now, authorize: authorizeByRole, operations }));
  ({ app: tokenApp } = await appFor(pg, {
    clock: () => now,
    authorize: authorizeByRole,
    accessToken: TOKEN,
    operations,
  }));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await tokenApp?.close();
  await ops?.drop();
  await pg?.drop();
});

describe('signing in', () => {
  it('answers a wrong password and an unknown user alike, and opens a session on the right one', async () => {
    const wrong = await call(app, 'POST', '/api/auth/login', {
      body: { username: 'max', password: 'not the password' },
    });
    const unknown = await call(app, 'POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'not the password' },
    });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body['code']).toBe('invalid_credentials');

    const { status, body, headers } = await call(app, 'POST', '/api/auth/login', {
      body: { username: 'eve', password: TEST_PASSWORD },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ signed_in: true, username: 'eve', role: 'engineer' });
    expect(String(headers['set-cookie'])).toMatch(
      new RegExp(
        `^geostream_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_S}$`,
      ),
    );
    const me = await call(app, 'GET', '/api/auth/me', { agent: { cookie: cookieOf(headers) } });
    expect(me.body).toMatchObject({
      signed_in: true,
      username: 'eve',
      csrf_token: body['csrf_token'],
    });
    // Only the token's hash is stored.
    const stored = (await ops.db(APP_TABLES.session).select('token_hash')) as {
      token_hash: string;
    }[];
    expect(stored.map((s) => s.token_hash)).not.toContain(cookieOf(headers).split('=')[1]);
  });

  it('locks an account after repeated failures, even for the right password, and only that account', async () => {
    for (let i = 0; i < 3; i++)
      await call(app, 'POST', '/api/auth/login', {
        body: { username: 'max', password: `guess ${i}` },
      });
    const locked = await call(app, 'POST', '/api/auth/login', {
      body: { username: 'max', password: TEST_PASSWORD },
    });
    expect(locked.status).toBe(429);
    expect(locked.body['code']).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    await signIn('val');
    now += 600_000; // the window ends
    await signIn('max');
  });

  it('signs in through the form page, refusing another site posting it', async () => {
    const page = await call(app, 'GET', '/dashboard/signin');
    expect(page.status).toBe(200);
    const ok = await call(app, 'POST', '/dashboard/signin', {
      form: `username=eve&password=${encodeURIComponent(TEST_PASSWORD)}`,
    });
    expect([ok.status, ok.headers['location']]).toEqual([303, '/dashboard/#/alarms']);
    expect(String(ok.headers['set-cookie'])).toMatch(/^geostream_session=/);
    const bad = await call(app, 'POST', '/dashboard/signin', {
      form: 'username=eve&password=nope',
    });
    expect([bad.status, bad.headers['location']]).toEqual([303, '/dashboard/signin?failed=1']);
    const crossSiteHeaders: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSiteHeaders) {
      const crossSite = await call(app, 'POST', '/dashboard/signin', {
        form: `username=eve&password=${encodeURIComponent(TEST_PASSWORD)}`,
        headers,
      });
      expect(crossSite.status).toBe(403);
    }
  });
});

describe('sessions', () => {
  it('end at their expiry, at sign-out, when revoked, when the user is disabled', async () => {
    const expiring = await signIn('eve');
    now += SESSION_S * 1000 + 1;
    expect((await call(app, 'GET', '/api/auth/me', { agent: expiring })).body['signed_in']).toBe(
      false,
    );

    const leaving = await signIn('eve');
    expect((await call(app, 'POST', '/api/auth/logout', { agent: leaving })).status).toBe(204);
    expect((await call(app, 'GET', '/api/auth/me', { agent: leaving })).body['signed_in']).toBe(
      false,
    );

    const admin = await signIn('ada');
    const revoked = await signIn('eve');
    const listed = await call(app, 'GET', '/api/auth/sessions', { agent: revoked });
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ current: true })]),
    );
    const ended = await call(app, 'POST', '/api/admin/users/eve/revoke-sessions', { agent: admin });
    expect(ended.body['revoked']).toBeGreaterThanOrEqual(1);
    expect((await call(app, 'GET', '/api/auth/me', { agent: revoked })).body['signed_in']).toBe(
      false,
    );

    const disabled = await signIn('max');
    expect(
      (await call(app, 'PATCH', '/api/admin/users/max', { agent: admin, body: { disabled: true } }))
        .status,
    ).toBe(200);
    expect((await call(app, 'GET', '/api/auth/me', { agent: disabled })).body['signed_in']).toBe(
      false,
    );
    expect(
      (
        await call(app, 'POST', '/api/auth/login', {
          body: { username: 'max', password: TEST_PASSWORD },
        })
      ).status,
    ).toBe(401);
    await call(app, 'PATCH', '/api/admin/users/max', { agent: admin, body: { disabled: false } });
  });
});

describe('alarms', () => {
  it('lists open alarms most urgent first, with their value', async () => {
    const { status, body } = await call(app, 'GET', '/api/alarms');
    expect(status).toBe(200);
    expect(body['alarms'].map((a: Json) => [a.alarm_id, a.state, a.peak_level])).toEqual([
      [rate1.id, 'active_unacknowledged', 'action'],
      [level1.id, 'active_unacknowledged', 'alarm'],
      [silence.id, 'cleared_unacknowledged', 'alarm'],
    ]);
    expect(body['alarms'][0]).toMatchObject({ value: -2.5, threshold: -2, unit: 'mm/day' });
    expect((await call(app, 'GET', '/api/alarms?state=closed')).body['alarms']).toEqual([]);
    expect((await call(app, 'GET', '/api/alarms?colour=red')).status).toBe(400);
  });

  it('lets an engineer acknowledge with a comment, once; a viewer, a reader and the wall token get 403', async () => {
    const before = await auditCount();
    const viewer = await signIn('val');
    for (const agent of [viewer, {}]) {
      const refused = await call(app, 'POST', '/api/alarms/acknowledge', {
        agent,
        body: { alarm_id: level1.id },
      });
      expect([refused.status, refused.body['code']]).toEqual([403, 'forbidden']);
    }
    const wall = await call(tokenApp, 'POST', '/api/alarms/acknowledge', {
      headers: { authorization: `Bearer ${TOKEN}` },
      body: { alarm_id: level1.id },
    });
    expect(wall.status).toBe(403);
    expect(
      (
        await call(tokenApp, 'GET', '/api/alarms', {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).status,
    ).toBe(200);

    const eve = await signIn('eve');
    const noCsrf = await call(app, 'POST', '/api/alarms/acknowledge', {
      agent: { cookie: eve.cookie as string },
      body: { alarm_id: level1.id },
    });
    expect([noCsrf.status, noCsrf.body['code']]).toEqual([403, 'csrf_token_invalid']);
    // The same route reached through a percent-encoded path is checked alike.
    const encoded = await call(app, 'POST', '/%61pi/alarms/acknowledge', {
      agent: { cookie: eve.cookie as string },
      body: { alarm_id: level1.id },
    });
    expect([encoded.status, encoded.body['code']]).toEqual([403, 'csrf_token_invalid']);
    expect(await auditCount()).toBe(before);

    const acked = await call(app, 'POST', '/api/alarms/acknowledge', {
      agent: eve,
      body: { alarm_id: level1.id, comment: 'pumps checked, level stable' },
    });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ alarm_id: level1.id, state: 'active_acknowledged' });
    const again = await call(app, 'POST', '/api/alarms/acknowledge', {
      agent: eve,
      body: { alarm_id: level1.id },
    });
    expect([again.status, again.body['code']]).toEqual([409, 'already_acknowledged']);
    expect(await auditCount()).toBe(before + 1);

    // The signed-in user passes a token-guarded dashboard without the token.
    const eveThere = await signIn('eve', TEST_PASSWORD, tokenApp);
    expect((await call(tokenApp, 'GET', '/api/alarms', { agent: eveThere })).status).toBe(200);
  });

  it('refuses unknown and closed alarms and bad shelves with a clear 4xx, writing nothing', async () => {
    const eve = await signIn('eve');
    const before = await auditCount();
    const unknown = await call(app, 'POST', '/api/alarms/acknowledge', {
      agent: eve,
      body: { alarm_id: 'piezometer:NOPE:no-such-alarm' },
    });
    expect([unknown.status, unknown.body['code']]).toEqual([404, 'unknown_alarm']);
    // The cleared silence: acknowledging closes it; then it is closed.
    expect(
      (
        await call(app, 'POST', '/api/alarms/acknowledge', {
          agent: eve,
          body: { alarm_id: silence.id },
        })
      ).body['state'],
    ).toBe('closed');
    const closed = await call(app, 'POST', '/api/alarms/acknowledge', {
      agent: eve,
      body: { alarm_id: silence.id },
    });
    expect([closed.status, closed.body['code']]).toEqual([409, 'alarm_closed']);
    const noReason = await call(app, 'POST', '/api/alarms/shelve', {
      agent: eve,
      body: { alarm_id: rate1.id, reason: ' ', until: new Date(now + 3_600_000).toISOString() },
    });
    expect([noReason.status, noReason.body['code']]).toEqual([400, 'shelve_reason_required']);
    const tooLong = await call(app, 'POST', '/api/alarms/shelve', {
      agent: eve,
      body: {
        alarm_id: rate1.id,
        reason: 'works',
        until: new Date(now + 30 * 86_400_000).toISOString(),
      },
    });
    expect([tooLong.status, tooLong.body['code']]).toEqual([400, 'shelve_too_long']);
    const notShelved = await call(app, 'POST', '/api/alarms/unshelve', {
      agent: eve,
      body: { alarm_id: rate1.id },
    });
    expect([notShelved.status, notShelved.body['code']]).toEqual([409, 'not_shelved']);
    const noComment = await call(app, 'POST', '/api/alarms/comment', {
      agent: eve,
      body: { alarm_id: rate1.id, comment: '' },
    });
    expect([noComment.status, noComment.body['code']]).toEqual([400, 'comment_required']);
    expect(await auditCount()).toBe(before + 1);
  });

  it('shelves until a time with a reason, unshelves with a comment, comments', async () => {
    const eve = await signIn('eve');
    const until = new Date(now + 8 * 3_600_000).toISOString();
    const shelved = await call(app, 'POST', '/api/alarms/shelve', {
      agent: eve,
      body: {
        alarm_id: rate1.id,
        until,
        reason: 'survey crew on the marker',
        comment: 'until the shift ends',
      },
    });
    expect(shelved.status).toBe(200);
    expect(shelved.body['shelved_until']).toBe(until);
    const listed = (await call(app, 'GET', '/api/alarms')).body['alarms'].find(
      (a: Json) => a.alarm_id === rate1.id,
    );
    expect(listed).toMatchObject({
      shelved_by: 'eve',
      shelved_reason: 'survey crew on the marker',
    });
    expect(
      (
        await call(app, 'POST', '/api/alarms/unshelve', {
          agent: eve,
          body: { alarm_id: rate1.id, comment: 'crew gone' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(app, 'POST', '/api/alarms/comment', {
          agent: eve,
          body: { alarm_id: silence.id, comment: 'logger battery replaced' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('the audit log', () => {
  it('exports the filtered log as CSV, newest first, with its header', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/audit.csv?by=eve&action=shelve',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor,action,alarm_id,condition,instrument,borehole_number,from_state,to_state,from_level,to_level,shelved_until,comment,event_id,recorded_at',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',eve,shelve,');
    expect(lines[1]).toContain('"survey crew on the marker\nuntil the shift ends"');
  });

  it('shows every transition newest first, filtered and keyset-paged', async () => {
    const all = (await call(app, 'GET', '/api/audit?limit=500')).body['entries'] as Json[];
    const ids = all.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(
      all
        .filter((e) => e.actor === 'system')
        .map((e) => e.action)
        .sort(),
    ).toEqual(['clear', 'raise', 'raise', 'raise']);
    const byEve = (await call(app, 'GET', '/api/audit?by=eve')).body['entries'] as Json[];
    expect(byEve.map((e) => e.action)).toEqual([
      'comment',
      'unshelve',
      'shelve',
      'acknowledge',
      'acknowledge',
    ]);
    expect(byEve[2]).toMatchObject({
      comment: 'survey crew on the marker\nuntil the shift ends',
      alarm_id: rate1.id,
    });

    const first = await call(app, 'GET', '/api/audit?limit=3');
    const second = await call(app, 'GET', `/api/audit?limit=3&before=${first.body['nextCursor']}`);
    expect([...first.body['entries'], ...second.body['entries']].map((e: Json) => e.id)).toEqual(
      all.slice(0, 6).map((e) => e.id),
    );
    const one = await call(app, 'GET', `/api/alarm?id=${encodeURIComponent(level1.id)}`);
    expect(one.body['audit'].map((e: Json) => e.action)).toEqual(['acknowledge', 'raise']);
    expect(
      (await call(app, 'GET', '/api/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'))
        .status,
    ).toBe(400);
  });
});

describe('administration', () => {
  it('is for admins: users (strong passwords, one name each, always an admin left) and routes', async () => {
    const eve = await signIn('eve');
    expect((await call(app, 'GET', '/api/admin/users', { agent: eve })).status).toBe(403);
    const ada = await signIn('ada');
    expect(
      (await call(app, 'GET', '/api/admin/users', { agent: ada })).body.map(
        (u: Json) => u.username,
      ),
    ).toEqual(['ada', 'eve', 'max', 'val']);
    const weak = await call(app, 'POST', '/api/admin/users', {
      agent: ada,
      body: { username: 'kim', display_name: 'Kim', role: 'viewer', password: 'short' },
    });
    expect([weak.status, weak.body['code']]).toEqual([400, 'weak_password']);
    const added = await call(app, 'POST', '/api/admin/users', {
      agent: ada,
      body: { username: 'kim', display_name: 'Kim', role: 'viewer', password: TEST_PASSWORD },
    });
    expect(added.status).toBe(201);
    expect(added.body).not.toHaveProperty('password_hash');
    const twice = await call(app, 'POST', '/api/admin/users', {
      agent: ada,
      body: { username: 'kim', display_name: 'Kim', role: 'viewer', password: TEST_PASSWORD },
    });
    expect(twice.status).toBe(409);
    const lastAdmin = await call(app, 'PATCH', '/api/admin/users/ada', {
      agent: ada,
      body: { role: 'viewer' },
    });
    expect([lastAdmin.status, lastAdmin.body['code']]).toEqual([409, 'last_admin']);

    const route = await call(app, 'POST', '/api/admin/notification-routes', {
      agent: ada,
      body: {
        name: 'site hook',
        channel: 'webhook',
        target: 'https://hooks.site.example/alarms',
        min_level: 'alarm',
      },
    });
    expect(route.status).toBe(201);
    expect(route.body['secret']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await call(app, 'GET', '/api/admin/notification-routes', { agent: ada });
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).not.toHaveProperty('secret');
    const badMail = await call(app, 'POST', '/api/admin/notification-routes', {
      agent: ada,
      body: { name: 'mail', channel: 'email', target: 'not-an-address' },
    });
    expect([badMail.status, badMail.body['code']]).toEqual([400, 'invalid_target']);
  });

  it('lists what was sent and what is failing', async () => {
    await ops.db(APP_TABLES.notificationOutbox).insert({
      audit_id: (await ops.db(APP_TABLES.alarmAudit).min({ id: 'id' }).first())?.id,
      route_id: 1,
      route_name: 'site hook',
      channel: 'webhook',
      target: 'https://hooks.site.example/alarms',
      alarm_id: level1.id,
      idempotency_key: `${level1.id}#1`,
      payload: '{}',
      status: 'failing',
      attempts: 2,
      last_error: 'HTTP 503 Service Unavailable',
    });
    const { status, body } = await call(app, 'GET', '/api/notifications?status=failing');
    expect(status).toBe(200);
    expect(body['counts']).toMatchObject({ failing: 1 });
    expect(body['notifications'][0]).toMatchObject({
      status: 'failing',
      attempts: 2,
      last_error: 'HTTP 503 Service Unavailable',
    });
  });
});

describe('the OpenAPI document', () => {
  it('covers the auth, alarm and admin routes, each with its schemas', async () => {
    const { body } = await call(app, 'GET', '/api/openapi.json');
    const paths = Object.keys(body['paths']);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/auth/logout',
        '/api/auth/me',
        '/api/auth/sessions',
        '/api/auth/sessions/{id}',
        '/api/auth/password',
        '/api/alarms',
        '/api/alarm',
        '/api/alarms/acknowledge',
        '/api/alarms/shelve',
        '/api/alarms/unshelve',
        '/api/alarms/comment',
        '/api/audit',
        '/api/audit.csv',
        '/api/notifications',
        '/api/admin/users',
        '/api/admin/users/{username}',
        '/api/admin/users/{username}/revoke-sessions',
        '/api/admin/notification-routes',
        '/api/admin/notification-routes/{id}',
      ]),
    );
    expect(body['paths']['/api/alarms/acknowledge'].post.responses).toEqual(
      expect.objectContaining({
        200: expect.anything(),
        403: expect.anything(),
        409: expect.anything(),
      }),
    );
  });
});

describe('live', () => {
  it('relays committed transitions to the live feed', async () => {
    const hub = createLiveHub({ instanceId: 'ops', initialStatus: 'live' });
    const seen: LiveEvent[] = [];
    hub.subscribe((event) => seen.push(event));
    const listener = startAlarmListener({
      connectionString: testServices().database.url,
      channel: alarmChannel(ops.schema),
      hub,
      logger: createLogger('dashboard-test', 'silent'),
    });
    try {
      await listener.ready;
      const eve = await signIn('eve');
      await call(app, 'POST', '/api/alarms/comment', {
        agent: eve,
        body: { alarm_id: level1.id, comment: 'seen live' },
      });
      const event = await eventually(() => seen.find((e) => e.payload.kind === 'alarm'), {
        what: 'an alarm event on the hub',
      });
      expect(event.payload).toMatchObject({
        kind: 'alarm',
        alarm: { alarm_id: level1.id, action: 'comment' },
      });
    } finally {
      await listener.stop();
    }
  });
});
