import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { authorizeByRole } from '../../src/auth/principal';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  expectText,
  launchBrowser,
  screenshot,
  watchPage,
  type PageError,
  type PageProblems,
  type TestBrowser,
} from '../support/browser';
import { TEST_PASSWORD, createTestAppSchema, type TestAppSchema } from '../support/operations';

/**
 * Trigger levels on the admin page in headless Chromium against a real PostgreSQL: an admin
 * changes one piezometer's levels, sees the change in force and waiting for Kafka (no publisher
 * runs here), downloads the configuration in force with it, and sees the API's reason for
 * levels out of order; a viewer gets no levels section. Screenshots:
 * test-artifacts/batch-dashboard/levels-*.png.
 */
let pg: TestSchema;
let ops: TestAppSchema;
let app: FastifyInstance;
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
  pg = await createTestSchema('dash_levels_e2e');
  ops = await createTestAppSchema('dash_levels_app');
  await ops.addUser('ada', 'admin');
  await ops.addUser('val', 'viewer');
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

async function fillLevels(
  borehole: string,
  rising: [string, string, string],
  comment: string,
): Promise<void> {
  const form = page.locator('form#change-levels');
  await form.locator('select[name="instrument"]').selectOption('piezometer');
  await form.locator('input[name="borehole_number"]').fill(borehole);
  for (const [i, band] of (['alert', 'alarm', 'action'] as const).entries())
    await form.locator(`input[name="rising_${band}"]`).fill(rising[i] ?? '');
  await form.locator('input[name="comment"]').fill(comment);
  await form.locator('button[type=submit]').click();
}

test('an admin changes one piezometer’s levels: in force, waiting for Kafka, in the download', async () => {
  await signIn('ada');
  await page.click('nav a[data-view="admin"]');
  await expectText(page.locator('#admin-levels #levels-in-force'), /No change/);

  await fillLevels('PZ-E2E-1', ['300', '350', '400'], 'new design levels after stage 2');
  await expectText(page.locator('#admin-message'), /PZ-E2E-1: levels changed/);
  const row = page.locator('#levels-in-force tr[data-scope="piezometer/PZ-E2E-1"]');
  await row.waitFor({ timeout: 15_000 });
  await expectText(row.locator('td.levels'), /^rising 300 \/ 350 \/ 400$/);
  await expectText(row, /ada/);
  await expectText(row.locator('td.comment'), /^new design levels after stage 2$/);
  await expectText(row.locator('td.published'), /^waiting for Kafka$/);
  await expectText(page.locator('#levels-unpublished'), /^1 change\(s\) waiting/);
  await expectText(page.locator('#levels-history tbody tr').first(), /PZ-E2E-1/);

  const href = await page.locator('#site-config-download').getAttribute('href');
  expect(href).toBe('/api/admin/site-config');
  const config = await page.evaluate(async (path) => (await fetch(path)).json(), href ?? '');
  expect(config).toEqual(
    expect.objectContaining({
      instruments: [
        expect.objectContaining({
          instrument: 'piezometer',
          borehole_number: 'PZ-E2E-1',
          trigger_levels: { rising: { alert: 300, alarm: 350, action: 400 } },
        }),
      ],
    }),
  );
  await screenshot(page, 'levels-01-changed');
});

test('levels out of order: the API’s reason shows in the message line, nothing recorded', async () => {
  await fillLevels('PZ-E2E-2', ['360', '350', '400'], 'a typo');
  await expectText(
    page.locator('#admin-message.error'),
    /rising must have alert < alarm < action, got 360, 350, 400/,
  );
  // The form keeps what was typed; the change in force is still the one of PZ-E2E-1 alone.
  await expect(
    page.locator('form#change-levels input[name="borehole_number"]').inputValue(),
  ).resolves.toBe('PZ-E2E-2');
  await expect(page.locator('#levels-in-force tbody tr').count()).resolves.toBe(1);
  await screenshot(page, 'levels-02-refused');
});

test('a viewer has no admin link and no levels section', async () => {
  await page.click('#sign-out');
  await page.waitForURL(/\/dashboard\/signin$/);
  await signIn('val');
  await expect(page.locator('nav a[data-view="admin"]').isHidden()).resolves.toBe(true);
  // A string: this file is compiled without the DOM's types.
  await page.evaluate("window.location.hash = '#/admin'");
  await expectText(page.locator('#view p.error'), /Could not load/);
  await expect(page.locator('#admin-levels #change-levels').count()).resolves.toBe(0);
  await screenshot(page, 'levels-03-viewer');
});

test('nothing broke the page: no CSP violation, no script error, no dialog', () => {
  expect(problems.cspViolations).toEqual([]);
  // Expected failed loads: the refused levels (400) and the viewer's admin requests (403).
  const expected = (e: PageError) =>
    (/status of 400/.test(e.text) && e.url === `${base}/api/admin/level-changes`) ||
    (/status of 403/.test(e.text) && e.url.startsWith(`${base}/api/admin/`));
  expect(problems.errors.filter((e) => !expected(e))).toEqual([]);
  expect(problems.dialogs).toEqual([]);
});
