import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { APP_TABLES } from '@geostream/sinks/names';
import { authorizeByRole } from '../../src/auth/principal';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  expectText,
  launchBrowser,
  screenshot,
  watchPage,
  type PageProblems,
  type TestBrowser,
} from '../support/browser';
import { TEST_PASSWORD, createTestAppSchema, type TestAppSchema } from '../support/operations';

/**
 * The notifications page in headless Chromium against a real PostgreSQL: three routes (an
 * e-mail and two webhooks) match one alarm applied as the alarm-manager applies it, so the
 * alarm store queues one notification for each; the test then puts them in the three states
 * worth seeing (sent, failing with its SMTP error and next try, failed for good). An engineer
 * signs in, sees each one's route, channel, target, status, attempts and last error, the counts
 * per status, and filters on "failing". Screenshots:
 * test-artifacts/batch-dashboard/notifications-*.png.
 */
const alarm = exampleAlarmEvent('rate', {
  atMs: Date.now() - 60_000,
  instrument: 'settlement_marker',
  borehole: 'SM-E2E-N1',
  direction: 'falling',
  to: 'alarm',
});

const ROUTES = [
  { name: 'site office mail', channel: 'email', target: 'site-office@site.example' },
  { name: 'site hook', channel: 'webhook', target: 'https://hooks.site.example/alarms' },
  { name: 'contractor hook', channel: 'webhook', target: 'https://contractor.example/alarms' },
] as const;
const SMTP_ERROR = 'connect ECONNREFUSED 127.0.0.1:2525';
const GONE_ERROR = 'HTTP 410 Gone';

let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;
let browser: TestBrowser;
let page: Page;
let problems: PageProblems;
let base: string;
/** What the page should show for each route, from the rows as stored. */
const expected = new Map<
  string,
  { status: string; attempts: string; when: string; error: string; target: string }
>();

/** As the page formats it: UTC, to the second. */
const formatTime = (at: Date): string => `${at.toISOString().slice(0, 19).replace('T', ' ')}Z`;

async function signIn(username: string): Promise<void> {
  await page.goto(`${base}/dashboard/signin`);
  await page.fill('#username', username);
  await page.fill('#password', TEST_PASSWORD);
  await Promise.all([page.waitForURL(/#\/alarms$/), page.click('button[type=submit]')]);
  await expectText(page.locator('#signed-in-as'), new RegExp(`^${username} \\(test\\)`));
}

/** The outbox row queued for one route, put in the given state. */
async function setOutbox(routeName: string, changes: Record<string, unknown>): Promise<void> {
  const updated = await ops
    .db(APP_TABLES.notificationOutbox)
    .where({ route_name: routeName })
    .update(changes);
  expect(updated).toBe(1);
}

beforeAll(async () => {
  pg = await createTestSchema('dash_notifications_e2e');
  ops = await createTestAppSchema('dash_notifications_app');
  await ops.addUser('eve', 'engineer');
  await ops.db(APP_TABLES.notificationRoute).insert(
    ROUTES.map((r) => ({
      ...r,
      ...(r.channel === 'webhook' && { secret: 'e2e-webhook-secret-not-used-for-anything' }),
      min_level: 'alert',
      created_by: 'test',
    })),
  );
  await ops.applyEvents([alarm]);
  // The alarm store queued one notification per matching route, all pending.
  const queued = (await ops
    .db(APP_TABLES.notificationOutbox)
    .select('route_name', 'status', 'alarm_id')) as {
    route_name: string;
    status: string;
    alarm_id: string;
  }[];
  expect(queued.map((q) => q.route_name).sort()).toEqual(ROUTES.map((r) => r.name).sort());
  expect(new Set(queued.map((q) => q.status))).toEqual(new Set(['pending']));
  expect(new Set(queued.map((q) => q.alarm_id))).toEqual(new Set([alarm.id]));

  // As the notifier leaves them: sent at the first try, failing (retried later), failed for good.
  const now = Date.now();
  await setOutbox('site hook', {
    status: 'sent',
    attempts: 1,
    last_attempt_at: new Date(now - 50_000),
    sent_at: new Date(now - 50_000),
  });
  await setOutbox('site office mail', {
    status: 'failing',
    attempts: 3,
    last_attempt_at: new Date(now - 30_000),
    next_attempt_at: new Date(now + 10 * 60_000),
    last_error: SMTP_ERROR,
  });
  await setOutbox('contractor hook', {
    status: 'failed',
    attempts: 1,
    last_attempt_at: new Date(now - 40_000),
    last_error: GONE_ERROR,
  });
  const rows = (await ops
    .db(APP_TABLES.notificationOutbox)
    .select('route_name', 'status', 'attempts', 'next_attempt_at', 'sent_at', 'last_error')) as {
    route_name: string;
    status: string;
    attempts: number;
    next_attempt_at: Date;
    sent_at: Date | null;
    last_error: string | null;
  }[];
  for (const row of rows) {
    const route = ROUTES.find((r) => r.name === row.route_name);
    expected.set(row.route_name, {
      status: row.status,
      attempts: String(row.attempts),
      when:
        row.sent_at !== null
          ? formatTime(row.sent_at)
          : row.status === 'failed'
            ? 'given up'
            : formatTime(row.next_attempt_at),
      error: row.last_error ?? '',
      target: route?.target ?? '',
    });
  }

  ({ app } = await appFor(pg, {
    authorize: authorizeByRole,
    operations: { db: ops.db, schema: ops.schema, sessionMaxAgeS: 3_600 },
  }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  page = await browser.browser.newPage({ viewport: { width: 1400, height: 900 } });
  problems = await watchPage(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await ops?.drop();
  await pg?.drop();
});

/** The row of one route: its cells' texts, in the page's column order. */
async function cellsOf(routeLabel: string): Promise<string[]> {
  const row = page.locator('table.notifications tbody tr', { hasText: routeLabel });
  await expect(row.count()).resolves.toBe(1);
  return (await row.locator('td').allTextContents()).map((t) => t.trim());
}

test('an engineer sees each notification: route, channel, status, attempts, last error, counts', async () => {
  await signIn('eve');
  await page.click('nav a[data-view="notifications"]');
  await page.waitForURL(/#\/notifications$/);
  await expectText(page.locator('#view h2'), /^Notifications$/);
  const rows = page.locator('table.notifications tbody tr');
  await rows.first().waitFor({ timeout: 15_000 });
  await expect(rows.count()).resolves.toBe(3);

  const counts = page.locator('#notification-counts a');
  await expect(counts.allTextContents()).resolves.toEqual([
    'All',
    'pending 0',
    'failing 1',
    'failed 1',
    'sent 1',
  ]);
  await expect(counts.first().getAttribute('class')).resolves.toBe('button active');

  for (const route of ROUTES) {
    const want = expected.get(route.name);
    const cells = await cellsOf(`${route.name} (${route.channel})`);
    expect(cells).toHaveLength(8);
    const [queuedAt, status, routeCell, target, alarmId, attempts, when, error] = cells;
    expect(queuedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect({ status, routeCell, target, alarmId, attempts, when, error }).toEqual({
      status: want?.status,
      routeCell: `${route.name} (${route.channel})`,
      target: route.target,
      alarmId: alarm.id,
      attempts: want?.attempts,
      when: want?.when,
      error: want?.error,
    });
  }
  // The states the page marks for its styles, one row each.
  for (const status of ['sent', 'failing', 'failed'])
    await expect(
      page.locator(`tr.notification.status-${status}[data-status="${status}"]`).count(),
    ).resolves.toBe(1);
  const failing = page.locator('tr[data-status="failing"]');
  await expectText(failing.locator('td.error-text'), /^connect ECONNREFUSED 127\.0\.0\.1:2525$/);
  await expectText(failing.locator('td.num'), /^3$/);
  await screenshot(page, 'notifications-01-all');
});

test('the "failing" filter shows the failing e-mail alone, the counts unchanged', async () => {
  await page.locator('#notification-counts a', { hasText: 'failing 1' }).click();
  await page.waitForURL(/#\/notifications\?status=failing$/);
  const rows = page.locator('table.notifications tbody tr');
  await expectText(rows.first(), /site office mail \(email\)/);
  await expect(rows.count()).resolves.toBe(1);
  await expect(rows.first().getAttribute('data-status')).resolves.toBe('failing');
  await expectText(rows.first().locator('td.error-text'), /ECONNREFUSED 127\.0\.0\.1:2525/);
  const active = page.locator('#notification-counts a.active');
  await expect(active.count()).resolves.toBe(1);
  await expectText(active, /^failing 1$/);
  await expect(page.locator('#notification-counts a').allTextContents()).resolves.toEqual([
    'All',
    'pending 0',
    'failing 1',
    'failed 1',
    'sent 1',
  ]);
  await screenshot(page, 'notifications-02-failing');

  // A status with nothing in it says so; "All" brings the three back.
  await page.locator('#notification-counts a', { hasText: 'pending 0' }).click();
  await page.waitForURL(/#\/notifications\?status=pending$/);
  await expectText(page.locator('#view p.empty'), /^Nothing here\.$/);
  await page.locator('#notification-counts a', { hasText: 'All' }).click();
  await page.waitForURL(/#\/notifications$/);
  await expectText(page.locator('table.notifications tbody tr').nth(2), /\S/);
  await expect(page.locator('table.notifications tbody tr').count()).resolves.toBe(3);
});

test('pages back past the newest 200 with "Older", every notification shown once', async () => {
  // 200 more sent ones, newer than the three: the failing e-mail is then on the second page.
  const inserted = await ops.db.raw(
    `insert into ?? (audit_id, route_id, route_name, channel, target, alarm_id,
       idempotency_key, payload, status, attempts, sent_at, created_at)
     select o.audit_id, 10000 + g, 'bulk route ' || g, 'webhook', o.target, o.alarm_id,
       o.idempotency_key || ':' || g, o.payload, 'sent', 1, now(), now() + g * interval '1 ms'
     from (select * from ?? order by id limit 1) o, generate_series(1, 200) g`,
    [APP_TABLES.notificationOutbox, APP_TABLES.notificationOutbox],
  );
  expect(inserted.rowCount).toBe(200);
  await page.goto(`${base}/dashboard/#/overview`);
  await page.goto(`${base}/dashboard/#/notifications`);
  const rows = page.locator('table.notifications tbody tr');
  await expectText(rows.nth(199), /\S/);
  await expect(rows.count()).resolves.toBe(200);
  await expect(page.locator('tr[data-status="failing"]').count()).resolves.toBe(0);
  await page.locator('#notifications-older').click();
  await expectText(
    page.locator('tr[data-status="failing"] td.error-text'),
    /^connect ECONNREFUSED 127\.0\.0\.1:2525$/,
  );
  await expect(rows.count()).resolves.toBe(203);
  await expect(page.locator('#notifications-older').count()).resolves.toBe(0);
  const routes = await page
    .locator('table.notifications tbody tr td:nth-child(3)')
    .allTextContents();
  expect(new Set(routes).size).toBe(203);
});

test('nothing broke the page: no CSP violation, no script error, no dialog', () => {
  expect(problems.cspViolations).toEqual([]);
  expect(problems.errors).toEqual([]);
  expect(problems.dialogs).toEqual([]);
});
