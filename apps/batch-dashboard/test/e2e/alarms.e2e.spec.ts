import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { exampleAlarmEvent } from '@geostream/instrument-schemas/testing';
import { createLogger } from '@geostream/platform';
import { testServices } from '@geostream/platform/testing';
import { alarmChannel } from '@geostream/sinks/names';
import { startAlarmListener } from '../../src/alarms/alarm-listener';
import { authorizeByRole } from '../../src/auth/principal';
import { createLiveHub } from '../../src/live/live-hub';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  expectText,
  launchBrowser,
  screenshot,
  waitForLive,
  watchPage,
  type PageError,
  type PageProblems,
  type TestBrowser,
} from '../support/browser';
import { TEST_PASSWORD, createTestAppSchema, type TestAppSchema } from '../support/operations';

/**
 * Alarms in headless Chromium against a real PostgreSQL: an engineer signs in, a new alarm
 * (applied as the alarm-manager applies it) appears live, is acknowledged with a comment and
 * shows in the audit log; a viewer sees the alarm without any button, and the API refuses the
 * viewer's acknowledgement with a 403. Screenshots: test-artifacts/batch-dashboard/alarms-*.png.
 */
const logger = createLogger('batch-dashboard-alarms-e2e', 'warn');
const alarm = exampleAlarmEvent('rate', {
  atMs: Date.now() - 60_000,
  instrument: 'settlement_marker',
  borehole: 'SM-E2E-1',
  direction: 'falling',
  to: 'alarm',
});

let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;
let listener: ReturnType<typeof startAlarmListener>;
let browser: TestBrowser;
let page: Page;
let problems: PageProblems;
let base: string;

async function signIn(username: string): Promise<void> {
  await page.goto(`${base}/dashboard/signin`);
  await page.fill('#username', username);
  await page.fill('#password', TEST_PASSWORD);
  await Promise.all([page.waitForURL(/#\/alarms$/), page.click('button[type=submit]')]);
  await expectText(page.locator('#signed-in-as'), new RegExp(`^${username} \\(test\\)`));
}

beforeAll(async () => {
  pg = await createTestSchema('dash_alarms_e2e');
  ops = await createTestAppSchema('dash_alarms_app');
  await ops.addUser('eve', 'engineer');
  await ops.addUser('val', 'viewer');
  const hub = createLiveHub({ instanceId: 'alarms-e2e', initialStatus: 'live' });
  listener = startAlarmListener({
    connectionString: testServices().database.url,
    channel: alarmChannel(ops.schema),
    hub,
    logger,
  });
  await listener.ready;
  ({ app } = await appFor(pg, {
    live: hub,
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
  await listener?.stop();
  await ops?.drop();
  await pg?.drop();
});

test('an engineer signs in, sees a new alarm arrive live, acknowledges it with a comment', async () => {
  await signIn('eve');
  await expectText(page.locator('#alarm-table'), /No alarm/);
  await waitForLive(page);

  await ops.applyEvents([alarm]);
  const row = page.locator(`tr[data-alarm-id="${alarm.id}"]`);
  await row.waitFor({ timeout: 15_000 });
  await expectText(row.locator('.alarm-state'), /^Active, unacknowledged$/);
  await expectText(page.locator('#toasts .alarm-toast'), /SM-E2E-1/);
  await screenshot(page, 'alarms-01-new-alarm');

  await row.locator('button[data-action="acknowledge"]').click();
  await row.locator('form[data-action="acknowledge"] textarea').fill('settlement checked on site');
  await row.locator('form[data-action="acknowledge"] button[type=submit]').click();
  await expectText(row.locator('.alarm-state'), /^Active, acknowledged$/);
  await expectText(row.locator('.acknowledged-by'), /^eve$/);
  await expect(row.locator('button[data-action="acknowledge"]').count()).resolves.toBe(0);
  await screenshot(page, 'alarms-02-acknowledged');
});

test('the engineer shelves the alarm for 8 h with a reason, then unshelves it', async () => {
  const row = page.locator(`tr[data-alarm-id="${alarm.id}"]`);
  await row.locator('button[data-action="shelve"]').click();
  const form = row.locator('form[data-action="shelve"]');
  await form.locator('input[name="reason"]').fill('survey crew resetting the marker');
  await form.locator('select[name="hours"]').selectOption('8');
  await form.locator('button[type=submit]').click();
  await expectText(row.locator('.shelved-until'), /\(survey crew resetting the marker\)$/);
  await expectText(page.locator('#alarm-message'), /shelve recorded for SM-E2E-1/);
  const until = await page.evaluate(async (alarmId) => {
    const { alarm } = (await (
      await fetch(`/api/alarm?id=${encodeURIComponent(alarmId)}`)
    ).json()) as {
      alarm: { shelved_until: string };
    };
    return Date.parse(alarm.shelved_until) - Date.now();
  }, alarm.id);
  expect(until).toBeGreaterThan(7.9 * 3_600_000);
  expect(until).toBeLessThanOrEqual(8 * 3_600_000);
  await screenshot(page, 'alarms-02b-shelved');

  await row.locator('button[data-action="unshelve"]').click();
  await row.locator('form[data-action="unshelve"] button[type=submit]').click();
  await expectText(row.locator('.shelved-until'), /^$/);
  await row.locator('button[data-action="shelve"]').waitFor();
});

test('the acknowledgement is in the audit log, with who and the comment', async () => {
  await page.click('nav a[data-view="audit"]');
  const entry = page.locator('#audit-list tr.action-acknowledge').first();
  await entry.waitFor({ timeout: 15_000 });
  await expectText(entry, /eve/);
  await expectText(entry.locator('.audit-comment'), /^settlement checked on site$/);
  await expectText(
    page.locator('#audit-list tr.action-shelve').first(),
    /survey crew resetting the marker/,
  );
  await page.locator('#audit-list tr.action-unshelve').first().waitFor();
  await expectText(page.locator('#audit-list tr.action-raise').first(), /system/);
  await screenshot(page, 'alarms-03-audit');
});

test('a viewer sees the alarm without buttons, and the API answers 403 to their acknowledgement', async () => {
  await page.click('#sign-out');
  await page.waitForURL(/\/dashboard\/signin$/);
  await signIn('val');
  const row = page.locator(`tr[data-alarm-id="${alarm.id}"]`);
  await row.waitFor({ timeout: 15_000 });
  expect(await row.locator('button[data-action]').count()).toBe(0);
  const answer = await page.evaluate(async (alarmId) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrf_token: string; role: string };
    const response = await fetch('/api/alarms/acknowledge', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
      body: JSON.stringify({ alarm_id: alarmId, comment: 'a viewer trying' }),
    });
    return {
      role: me.role,
      status: response.status,
      body: (await response.json()) as { code: string },
    };
  }, alarm.id);
  expect(answer).toEqual({
    role: 'viewer',
    status: 403,
    body: expect.objectContaining({ code: 'forbidden' }),
  });
  await screenshot(page, 'alarms-04-viewer');
});

test('nothing broke the page: no CSP violation, no script error, no dialog', () => {
  expect(problems.cspViolations).toEqual([]);
  // The viewer's refused request is the one failed load expected.
  const refused = (e: PageError) =>
    /status of 403/.test(e.text) && e.url === `${base}/api/alarms/acknowledge`;
  expect(problems.errors.filter((e) => !refused(e))).toEqual([]);
  expect(problems.dialogs).toEqual([]);
});
