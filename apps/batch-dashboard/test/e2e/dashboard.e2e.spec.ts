import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { createLogger } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import { createPostgresSink } from '@geostream/sinks';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  expectText,
  launchBrowser,
  screenshot,
  watchPage,
  type PageError,
  type PageProblems,
  type TestBrowser,
  waitForLive,
} from '../support/browser';
import { startTestLiveFeed, type TestLiveFeed } from '../support/live-topics';
import { makeRaise, makeWindow } from '../support/records';
import { seedHistory, type HistorySeed } from '../support/seed-history';

/**
 * The dashboard in headless Chromium against the real PostgreSQL and Kafka: the grid pages,
 * sorts and filters; an instrument opens with its chart; an attack in an instrument id stays
 * text; a window crossing a trigger level and its alert, produced to Kafka, appear live and
 * highlighted; the page reconnects by itself after the server restarts. Screenshots go to
 * test-artifacts/batch-dashboard/.
 */
const SEED: HistorySeed = {
  instrumentsPerType: 20,
  windowsPerInstrument: 100,
  endAt: new Date(Date.now() - 60_000),
};
const XSS_ID = '<img src=x onerror=alert(1)>';
const logger = createLogger('batch-dashboard-e2e', 'warn');

let pg: TestSchema;
let feed: TestLiveFeed;
let app: FastifyInstance;
let port: number;
let browser: TestBrowser;
let page: Page;
let problems: PageProblems;

async function startApp(): Promise<void> {
  ({ app } = await appFor(pg, { live: feed.hub }));
  await app.listen({ host: '127.0.0.1', port });
}

beforeAll(async () => {
  pg = await createTestSchema('dash_e2e');
  await seedHistory(pg.writer, SEED);
  const sink = createPostgresSink({ connectionString: pg.url, schema: pg.schema });
  const attack = makeWindow({
    instrument: 'piezometer',
    borehole: XSS_ID,
    startMs: SEED.endAt.getTime() - 120_000,
    mean: 260,
    level: 'alert',
  });
  // A logger whose clock the stream-processor judged 90 minutes fast.
  const fastClock = makeWindow({
    instrument: 'strain_gauge',
    borehole: 'SG-FAST-CLOCK',
    startMs: SEED.endAt.getTime() - 120_000,
    mean: 10,
    level: 'none',
  });
  await sink.writeBatch({
    windows: [attack, fastClock],
    alerts: [makeRaise(attack, 'alert', 250)],
    clocks: new Map([[fastClock.id, { status: 'ahead', offsetMs: 5_400_000 }]]),
  });
  await sink.close();

  feed = await startTestLiveFeed('e2e', logger);

  ({ app } = await appFor(pg, { live: feed.hub }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  browser = await launchBrowser();
  page = await browser.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  problems = await watchPage(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await feed?.stop();
  await pg?.drop();
});

const base = () => `http://127.0.0.1:${port}/dashboard/`;
const firstCell = (column: string) =>
  page
    .locator(`#history-grid .ag-row[row-index="0"] [col-id="${column}"]`)
    .filter({ visible: true });

test('the history grid loads, pages, sorts and filters on the server', async () => {
  await page.goto(`${base()}#/history`);
  await page.locator('#history-grid .ag-row').filter({ visible: true }).first().waitFor();
  // 10,001 rows (the seed and the attack window) is past TOTAL_COUNT_CAP: the planner's estimate.
  await expectText(page.locator('#history-total'), /^about [\d,]+ windows$/);
  await expectText(page.locator('.ag-paging-row-summary-panel'), /1 to 100/);
  await screenshot(page, '01-history');

  await page.locator('.ag-paging-panel [aria-label="Next Page"]').click();
  await expectText(page.locator('.ag-paging-row-summary-panel'), /101 to 200/);

  // Sort by instrument: (type, id, time) ascending; extensometers come first.
  await page.locator('.ag-header-cell[col-id="borehole_number"] .ag-header-cell-label').click();
  await expectText(page.locator('.ag-paging-row-summary-panel'), /1 to 100/);
  await expectText(firstCell('borehole_number'), /^EX-0000$/);

  // Filter: one piezometer.
  await page.selectOption('#filter-type', ['piezometer']);
  await page.fill('#filter-borehole', 'PZ-0003');
  await page.click('#filter-apply');
  await expectText(page.locator('#history-total'), /^100 windows$/);
  const ids = await page
    .locator('#history-grid .ag-row [col-id="borehole_number"]')
    .allTextContents();
  expect(new Set(ids)).toEqual(new Set(['PZ-0003']));
  expect(await page.locator('#history-csv').getAttribute('href')).toContain('borehole=PZ-0003');
  await screenshot(page, '02-history-filtered');
});

test('an instrument opens with its metadata, chart and alerts', async () => {
  await firstCell('borehole_number').click();
  await page.waitForURL(/#\/instrument\?type=piezometer&id=PZ-0003/);
  await page.locator('#instrument-chart canvas').first().waitFor();
  await expectText(page.locator('#instrument-id'), /^PZ-0003$/);
  await expectText(page.locator('#instrument-metadata'), /piezometric head/);
  await expectText(page.locator('#chart-note'), /100 points, one per window/);
  await screenshot(page, '03-instrument');
});

test('the overview counts a logger whose clock is off and says by how much', async () => {
  await page.goto(`${base()}#/overview`);
  await expectText(
    page.locator('.type-card[data-type="strain_gauge"] .clock-count'),
    /^1 clock off$/,
  );
  await expectText(
    page.locator('.type-card[data-type="piezometer"] .clock-count'),
    /^0 clocks off$/,
  );
  const row = page.locator('table.attention tr', { hasText: 'SG-FAST-CLOCK' });
  await expectText(row, /clock ahead by 90 min/);
  await screenshot(page, '03b-overview-clock');
});

test('an instrument id that is HTML shows as text and never runs', async () => {
  await page.goto(`${base()}#/overview`);
  await page.getByText(XSS_ID).first().waitFor();
  await page.getByText(XSS_ID).first().click();
  await expectText(
    page.locator('#instrument-id'),
    new RegExp(`^${XSS_ID.replace(/[()]/g, '\\$&')}$`),
  );
  await page.goto(`${base()}#/history`);
  await page.fill('#filter-borehole', XSS_ID);
  await page.click('#filter-apply');
  await expectText(
    firstCell('borehole_number'),
    new RegExp(`^${XSS_ID.replace(/[()]/g, '\\$&')}$`),
  );
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(problems.dialogs).toEqual([]);
  await screenshot(page, '04-xss-as-text');
});

test('a window crossing a trigger level and its alert appear live, highlighted', async () => {
  await page.goto(`${base()}#/live`);
  await waitForLive(page);
  const window = makeWindow({
    instrument: 'piezometer',
    borehole: 'PZ-LIVE-1',
    startMs: Date.now() - 20_000,
    mean: 361.5,
    level: 'action',
  });
  await feed.produce(feed.topics.windows.piezometer, window.id, window);
  await feed.produce(
    feed.topics.alerts,
    makeRaise(window, 'action', 350).id,
    makeRaise(window, 'action', 350),
  );
  const alert = page.locator('#live-alerts .live-alert.alert-new', { hasText: 'PZ-LIVE-1' });
  await alert.waitFor({ timeout: 15_000 });
  await expectText(alert, /action/);
  await page.locator('#live-windows tr', { hasText: 'PZ-LIVE-1' }).waitFor();
  await expectText(page.locator('#live-states tr').first(), /PZ-LIVE-1/); // worst first
  await screenshot(page, '05-live-alert');
});

test('the page reconnects by itself after the server restarts', async () => {
  await app.close();
  await eventually(
    async () =>
      (await page.locator('#live-state').getAttribute('data-state')) !== 'live' ? true : undefined,
    {
      timeoutMs: 15_000,
      what: 'the page to notice the restart',
    },
  );
  await screenshot(page, '06-reconnecting');
  await startApp();
  await eventually(
    async () =>
      (await page.locator('#live-state').getAttribute('data-state')) === 'live' ? true : undefined,
    {
      timeoutMs: 30_000,
      what: 'the page to reconnect',
    },
  );
  const window = makeWindow({
    instrument: 'strain_gauge',
    borehole: 'SG-LIVE-2',
    startMs: Date.now() - 20_000,
    mean: 900,
    level: 'alert',
  });
  await feed.produce(
    feed.topics.alerts,
    makeRaise(window, 'alert', 800).id,
    makeRaise(window, 'alert', 800),
  );
  await page
    .locator('#live-alerts .live-alert.alert-new', { hasText: 'SG-LIVE-2' })
    .waitFor({ timeout: 15_000 });
  await screenshot(page, '07-reconnected');
});

test('nothing broke the page: no CSP violation, no script error, no dialog', () => {
  expect(problems.cspViolations).toEqual([]);
  // The restart makes the event stream's reconnect attempts fail until the server is back:
  // those failures of /api/live, and only those, are expected.
  const liveStreamFailure = (e: PageError): boolean =>
    /ERR_CONNECTION_REFUSED|Failed to load resource/.test(e.text) &&
    e.url === `http://127.0.0.1:${port}/api/live`;
  expect(problems.errors.filter((e) => !liveStreamFailure(e))).toEqual([]);
  expect(problems.dialogs).toEqual([]);
});
