/* eslint-disable @typescript-eslint/no-non-null-assertion -- test expectations on known data */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { createLogger } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import {
  ARTIFACTS_DIR,
  expectText as expectTextOf,
  launchBrowser,
  screenshot,
  watchPage,
  type PageError,
  type PageProblems,
  type TestBrowser,
  waitForLive,
} from '../support/browser';
import { markerSvg } from '../support/images';
import { startTestLiveFeed, type TestLiveFeed } from '../support/live-topics';
import { makeWindow } from '../support/records';
import { seedPlan, seededInstrument, type PlanSeed } from '../support/seed-plan';

/**
 * The plan in headless Chromium (device pixel ratio 2) against the real PostgreSQL and Kafka,
 * with 20,000 seeded instruments: instruments are drawn where they are, in their state's
 * colour (read back from the canvas's pixels); hover and click find the right one; a site
 * drawing added through the admin form and placed by two control points lands where it
 * should; a live window recolours an instrument and it flashes; a lasso picks instruments to
 * compare, and a comparison of three instruments draws their trigger lines. The frame times
 * of zooming and panning over all 20,000 are measured and written to test-artifacts (not
 * asserted). Screenshots: test-artifacts/batch-dashboard/08-plan.png ... 14-compare.png.
 */
const SEED: PlanSeed = { instruments: 20_000, endAt: new Date(Date.now() - 60_000) };
/** The app judges silence against this fixed time, so no instrument goes stale mid-test. */
const NOW = SEED.endAt.getTime() + 30_000;
const STATE_RGB: Record<string, [number, number, number]> = {
  normal: [0x2e, 0x8b, 0x57],
  clock_skew: [0x8e, 0x44, 0xad],
  no_data: [0x98, 0xa4, 0xb0],
  alert: [0xf1, 0xc4, 0x0f],
  alarm: [0xe6, 0x7e, 0x22],
  action: [0xd6, 0x2c, 0x1a],
};
const BACKGROUND: [number, number, number] = [0xf4, 0xf6, 0xf8];
const logger = createLogger('batch-dashboard-plan-e2e', 'warn');

let pg: TestSchema;
let feed: TestLiveFeed;
let app: FastifyInstance;
let port: number;
let browser: TestBrowser;
let page: Page;
let problems: PageProblems;

beforeAll(async () => {
  pg = await createTestSchema('dash_plan_e2e');
  await seedPlan(pg.writer, SEED);
  feed = await startTestLiveFeed('plan-e2e', logger);
  ({ app } = await appFor(pg, { live: feed.hub, clock: () => NOW }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  browser = await launchBrowser();
  page = await browser.browser.newPage({
    viewport: { width: 1400, height: 1000 },
    deviceScaleFactor: 2,
  });
  problems = await watchPage(page);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await feed?.stop();
  await pg?.drop();
});

const base = () => `http://127.0.0.1:${port}/dashboard/`;

// In-page code is passed as text: this file is compiled without the DOM's types.

/** Two animation frames: whatever an event scheduled has been drawn. */
const frames = () =>
  page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))',
  );

/** Where a site point is on the page, by the transform the plan drew its last frame with. */
async function pageXY(easting: number, northing: number): Promise<[number, number]> {
  const { transform, left, top } = (await page.evaluate(`(() => {
    const canvas = document.getElementById('plan-canvas');
    const rect = canvas.getBoundingClientRect();
    return { transform: canvas.dataset.transform || '', left: rect.left, top: rect.top };
  })()`)) as { transform: string; left: number; top: number };
  const [s, , tx, , sn, ty] = transform.split(',').map(Number) as number[];
  return [left + s! * easting + tx!, top + sn! * northing + ty!];
}

/** The canvas pixel (device pixels) under a page point. */
async function pixel([x, y]: [number, number]): Promise<[number, number, number]> {
  return (await page.evaluate(`(() => {
    const canvas = document.getElementById('plan-canvas');
    const rect = canvas.getBoundingClientRect();
    const dpr = canvas.width / rect.width;
    const data = canvas.getContext('2d').getImageData(
      Math.round((${x} - rect.left) * dpr), Math.round((${y} - rect.top) * dpr), 1, 1).data;
    return [data[0], data[1], data[2]];
  })()`)) as [number, number, number];
}

const near = (actual: number[], expected: readonly number[]) =>
  actual.every((channel, k) => Math.abs(channel - expected[k]!) <= 12);

/** The colour drawn at a site point (read from the canvas; the frame may still be coming). */
async function expectSiteColour(
  easting: number,
  northing: number,
  expected: readonly [number, number, number],
  what: string,
): Promise<void> {
  let actual: number[] = [];
  await eventually(
    async () => {
      actual = await pixel(await pageXY(easting, northing));
      return near(actual, expected) ? true : undefined;
    },
    { timeoutMs: 10_000, what: `the colour of ${what}` },
  ).catch(() => {
    expect({ what, actual }).toEqual({ what, actual: expected });
  });
}

const transformText = async () =>
  (await page.locator('#plan-canvas').getAttribute('data-transform')) ?? '';

/** Fit, then zoom in about a site point (about 8x: instruments 40 m apart are ~40 px apart). */
async function zoomTo(easting: number, northing: number): Promise<[number, number]> {
  await page.click('#plan-fit');
  await frames();
  const [x, y] = await pageXY(easting, northing);
  await page.mouse.move(x, y);
  const scale = async () => Number((await transformText()).split(',')[0]);
  const target = (await scale()) * 8;
  for (let k = 0; k < 20 && (await scale()) < target; k++) {
    const before = await transformText();
    await page.mouse.wheel(0, -300);
    await eventually(async () => ((await transformText()) !== before ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the plan to zoom',
    });
    await frames();
  }
  const at = await pageXY(easting, northing);
  await page.mouse.move(at[0], at[1]);
  await frames();
  return at;
}

const expectText = (selector: string, pattern: RegExp) =>
  expectTextOf(page.locator(selector), pattern, 20_000);

test('the plan shows every instrument where it is, in its state colour', async () => {
  await page.goto(`${base()}#/plan`);
  await expectText('#plan-status', /^20,000 instruments, loaded in \d+ ms$/);
  await frames();
  await screenshot(page, '08-plan');

  // One of each state, its symbol by type; their colour read back from the canvas.
  for (const i of [1, 5, 3, 23, 41, 0]) {
    const instrument = seededInstrument(i);
    await zoomTo(instrument.easting, instrument.northing);
    await expectSiteColour(
      instrument.easting,
      instrument.northing,
      STATE_RGB[instrument.state]!,
      `${instrument.id} (${instrument.state})`,
    );
    // Hover finds this very instrument and shows its latest value and time.
    await expectText('#plan-tooltip .tooltip-id', new RegExp(`^${instrument.id}$`));
    expect(await page.locator('#plan-tooltip').isVisible()).toBe(true);
    await expectText('#plan-tooltip', new RegExp(instrument.state.replace('_', ' ')));
    // Half-way to the next instrument east is empty ground.
    await expectSiteColour(
      instrument.easting + 20,
      instrument.northing + 20,
      BACKGROUND,
      'between instruments',
    );
  }
  await screenshot(page, '09-plan-zoomed');

  // North is up and east is right, at one scale: the next instrument east (i + 1) is 40 m to
  // the right, the one north (i + 200) is 40 m up.
  const origin = seededInstrument(1000);
  const [x0, y0] = await zoomTo(origin.easting, origin.northing);
  const [xe, ye] = await pageXY(seededInstrument(1001).easting, seededInstrument(1001).northing);
  const [xn, yn] = await pageXY(seededInstrument(1200).easting, seededInstrument(1200).northing);
  expect(xe - x0).toBeGreaterThan(25);
  expect(ye).toBeCloseTo(y0, 6);
  expect(y0 - yn).toBeCloseTo(xe - x0, 6);
  expect(xn).toBeCloseTo(x0, 6);
  await page.mouse.move(xn, yn);
  await expectText('#plan-tooltip .tooltip-id', new RegExp(`^${seededInstrument(1200).id}$`));
});

test('filters hide instruments by state and type', async () => {
  const normal = seededInstrument(1);
  await zoomTo(normal.easting, normal.northing);
  const colour = (rgb: readonly [number, number, number], what: string) =>
    expectSiteColour(normal.easting, normal.northing, rgb, what);
  await page.uncheck('#plan-state-normal');
  await colour(BACKGROUND, 'a normal instrument, filtered out');
  await page.check('#plan-state-normal');
  await page.uncheck('#plan-type-piezometer');
  await colour(BACKGROUND, 'a piezometer, filtered out');
  await page.check('#plan-type-piezometer');
  await colour(STATE_RGB['normal']!, 'shown again');
});

test('a click opens the instrument', async () => {
  const alarm = seededInstrument(41);
  const at = await zoomTo(alarm.easting, alarm.northing);
  await page.mouse.click(at[0], at[1]);
  await page.waitForURL(/#\/instrument\?type=piezometer&id=PZ-P00041$/);
  await expectText('#instrument-id', /^PZ-P00041$/);
  await expectText('#instrument-metadata', /alarm/);
});

test('a site drawing placed by two control points lands where it should', async () => {
  await page.goto(`${base()}#/plan`);
  await expectText('#plan-status', /^20,000 instruments/);
  await page.locator('#underlay-admin summary').click();
  // A drawing with a script is refused, and the page says why.
  await page.fill('#underlay-name', 'bad');
  await page.setInputFiles('#underlay-file', {
    name: 'bad.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script></svg>',
    ),
  });
  const E0 = 324_400;
  const N0 = 5_810_000;
  for (const [id, value] of Object.entries({
    'cp1-x': 0,
    'cp1-y': 100,
    'cp1-e': E0,
    'cp1-n': N0,
    'cp2-x': 200,
    'cp2-y': 0,
    'cp2-e': E0 + 400,
    'cp2-n': N0 + 200,
    'underlay-opacity': 1,
  })) {
    await page.fill(`#${id}`, String(value));
  }
  await page.click('#underlay-submit');
  await expectText('#underlay-message', /Refused \(400\): SVG line 1: <script> is not accepted/);

  // A 200 x 100 drawing, 2 m per unit, its bottom-left corner at (E0, N0): the blue square at
  // (150, 50) of the image must be at (E0 + 300, N0 + 100) on site.
  await page.fill('#underlay-name', 'Shaft 9 GA');
  await page.setInputFiles('#underlay-file', {
    name: 'shaft.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from(
      markerSvg({ width: 200, height: 100, cx: 150, cy: 50, side: 10, colour: '#0000ff' }),
    ),
  });
  await page.click('#underlay-submit');
  await expectText('#underlay-message', /Added "Shaft 9 GA"/);
  await expectText('#underlay-list', /Shaft 9 GA \(SVG, 200 x 100, opacity 1\)/);
  await frames();
  await zoomTo(E0 + 300, N0 + 100);
  await expectSiteColour(E0 + 300, N0 + 100, [0, 0, 255], 'the blue mark of the drawing');
  await expectSiteColour(E0 + 40, N0 + 160, [255, 255, 255], 'the drawing elsewhere');
  await expectSiteColour(E0 - 30, N0 + 100, BACKGROUND, 'just west of the drawing');
  await expectSiteColour(E0 + 300, N0 + 130, [255, 255, 255], 'just north of the mark');
  await screenshot(page, '10-plan-drawing');
});

test('a live window recolours its instrument, which flashes', async () => {
  const quiet = seededInstrument(1); // PZ-P00001, normal
  const at = await zoomTo(quiet.easting, quiet.northing);
  await expectSiteColour(quiet.easting, quiet.northing, STATE_RGB['normal']!, 'before');
  await waitForLive(page);
  const window = makeWindow({
    instrument: 'piezometer',
    borehole: quiet.id,
    startMs: Math.floor((SEED.endAt.getTime() + 60_000) / 10_000) * 10_000,
    mean: 361.5,
    level: 'action',
    easting: quiet.easting,
    northing: quiet.northing,
  });
  await feed.produce(feed.topics.windows.piezometer, window.id, window);
  await expectSiteColour(quiet.easting, quiet.northing, STATE_RGB['action']!, 'after');
  await page.mouse.move(at[0] + 1, at[1]);
  await page.mouse.move(at[0], at[1]);
  await expectText('#plan-tooltip', /action \(changed\)/);
  await expectText('#plan-tooltip', /361\.5 kPa/);
  await screenshot(page, '11-plan-live-flash');
});

test('a lasso picks instruments to compare', async () => {
  const corner = seededInstrument(2100); // row 10, column 100: mid-site
  const [x, y] = await zoomTo(corner.easting + 20, corner.northing + 20);
  const d =
    (await pageXY(corner.easting + 40, corner.northing))[0] -
    (await pageXY(corner.easting, corner.northing))[0];
  // A box around the 2 x 2 instruments 2100, 2101, 2300, 2301.
  await page.click('#plan-lasso');
  await page.mouse.move(x - d, y - d);
  await page.mouse.down();
  for (const [px, py] of [
    [x + d, y - d],
    [x + d, y + d],
    [x - d, y + d],
    [x - d, y - d + 1],
  ] as const) {
    await page.mouse.move(px, py, { steps: 4 });
  }
  await page.mouse.up();
  await page.click('#plan-lasso');
  await expectText('#plan-selection', /^4 selected: /);
  const ids = [2100, 2101, 2300, 2301].map((i) => seededInstrument(i).id);
  for (const id of ids) await expectText('#plan-selection', new RegExp(id));
  await frames();
  await screenshot(page, '12-plan-lasso');
  await page.click('#plan-compare');
  await page.waitForURL(/#\/compare\?/);
  await page.locator('#compare-chart canvas').first().waitFor();
  expect(await page.locator('#compare-chips li').count()).toBe(4);
  await screenshot(page, '13-compare-lasso');
});

test('a comparison of three instruments draws them with their trigger lines, and exports them', async () => {
  const three = [1, 5, 4].map(seededInstrument); // a piezometer, a standpipe, a strain gauge
  await page.goto(`${base()}#/compare?${three.map((s) => `i=${s.type}:${s.id}`).join('&')}&days=1`);
  await page.locator('#compare-chart canvas').first().waitFor();
  const legend = (await page.locator('#compare-chart .u-legend').textContent()) ?? '';
  for (const s of three) {
    expect(legend).toContain(s.id);
    for (const level of ['alert', 'alarm', 'action'])
      expect(legend).toMatch(new RegExp(`${s.id} ${level} \\((rising|falling)\\)`));
  }
  expect(legend).toMatch(/PZ-P00001 alert \(rising\) 250/);
  // A y axis per unit: kPa, m, µε.
  expect(await page.locator('#compare-chart .u-axis').count()).toBe(4);
  await expectText('#compare-note', /PZ-P00001: \d+ points/);
  const href = (await page.locator('#compare-csv').getAttribute('href'))!;
  const csv = await page.request.get(new URL(href, base()).toString());
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).split('\r\n').filter((l) => l !== '');
  // Ten windows each (the live window above went to Kafka only: no processor runs here).
  expect(lines).toHaveLength(1 + 3 * 10);
  await screenshot(page, '14-compare');
});

test('frame times of zooming and panning over 20,000 instruments (measured, not asserted)', async () => {
  await page.goto(`${base()}#/plan`);
  await expectText('#plan-status', /^20,000 instruments/);
  await page.click('#plan-fit');
  await frames();
  // A recorder in the page: every animation frame's time, and each redraw's own duration and
  // kind (quick: the last full frame scaled and shifted while the user zooms or pans; full).
  await page.evaluate(`(() => {
    const canvas = document.getElementById('plan-canvas');
    const record = { at: [], quick: [], full: [], stop: false };
    window.__planFrames = record;
    let last = canvas.dataset.frame;
    const tick = (at) => {
      record.at.push(at);
      if (canvas.dataset.frame !== last) {
        last = canvas.dataset.frame;
        record[canvas.dataset.renderKind === 'quick' ? 'quick' : 'full'].push(Number(canvas.dataset.renderMs));
      }
      if (!record.stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const box = (await page.locator('#plan-canvas').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  // Input as a hand gives it: an event per frame, with a pause now and then (full frames).
  const nextFrame = () => page.evaluate('new Promise((r) => requestAnimationFrame(() => r()))');
  for (let k = 0; k < 60; k++) {
    await page.mouse.wheel(0, k % 30 < 15 ? -120 : 120);
    await (k % 15 === 14 ? frames() : nextFrame());
  }
  await page.mouse.down();
  for (let k = 0; k < 90; k++) {
    await page.mouse.move(cx + 200 * Math.sin(k / 10), cy + 120 * Math.cos(k / 10));
    await (k % 30 === 29 ? frames() : nextFrame());
  }
  await page.mouse.up();
  await frames();
  // Full frames alone: fitting redraws everything.
  for (let k = 0; k < 10; k++) {
    await page.keyboard.press(k % 2 === 0 ? '+' : '-');
    await page.click('#plan-fit');
    await frames();
  }
  const recorded = (await page.evaluate(
    '(() => { window.__planFrames.stop = true; return window.__planFrames; })()',
  )) as { at: number[]; quick: number[]; full: number[] };
  const intervals = recorded.at.slice(1).map((t, k) => t - recorded.at[k]!);
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (p: number) =>
      Number(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.toFixed(1));
    return { samples: sorted.length, p50: at(0.5), p95: at(0.95), max: at(1) };
  };
  const result = {
    instruments: SEED.instruments,
    device_pixel_ratio: 2,
    viewport: '1400x1000',
    quick_frame_ms: stats(recorded.quick),
    full_frame_ms: stats(recorded.full),
    frame_interval_ms: stats(intervals),
    load_average: loadavg().map((l) => Number(l.toFixed(2))),
    chromium: browser.browser.version(),
  };
  process.stdout.write(`plan frame times: ${JSON.stringify(result)}\n`);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(
    path.join(ARTIFACTS_DIR, 'plan-frame-times.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  // It did redraw while zooming and panning, and drew full frames when the interaction paused.
  expect(recorded.quick.length + recorded.full.length).toBeGreaterThan(50);
  expect(recorded.full.length).toBeGreaterThan(0);
});

test('nothing broke the page: no CSP violation, no script error, no dialog', () => {
  expect(problems.cspViolations).toEqual([]);
  // The refused drawing's 400 is logged by the browser as a failed resource: expected.
  const refusedUpload = (e: PageError): boolean =>
    /status of 400/.test(e.text) && e.url === `http://127.0.0.1:${port}/api/plan/underlays`;
  expect(problems.errors.filter((e) => !refusedUpload(e))).toEqual([]);
  expect(problems.dialogs).toEqual([]);
});
