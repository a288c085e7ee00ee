/* eslint-disable @typescript-eslint/no-non-null-assertion -- test expectations on known data */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { ARTIFACTS_DIR } from '../support/browser';
import { makePng, markerSvg } from '../support/images';
import { PLAN_WINDOWS, seedPlan, seededInstrument, type PlanSeed } from '../support/seed-plan';

/**
 * The plan's API against a real PostgreSQL holding 20,000 instruments (the sinks' migrations in
 * a schema of this suite's own): every instrument exactly once with the state the seed implies,
 * paging, filters, the site drawings' checks and storage, the admin seam, the comparison CSV,
 * and the latency figure of the README (measured, not asserted).
 */
const SEED: PlanSeed = { instruments: 20_000, endAt: new Date('2026-03-01T12:00:00.000Z') };
const NOW = SEED.endAt.getTime() + 30_000;

let pg: TestSchema;
let app: FastifyInstance;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function request(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<{ status: number; body: Json; headers: Record<string, unknown>; raw: Buffer }> {
  const response = await app.inject({
    method,
    url,
    ...(payload !== undefined && { payload: payload as object }),
  });
  let body: Json = {};
  try {
    body = response.json() as Json;
  } catch {
    // not JSON (an image, a CSV, an empty 204)
  }
  return { status: response.statusCode, body, headers: response.headers, raw: response.rawPayload };
}

async function allPages(query = '', limit = 5_000): Promise<{ pages: number; columns: Json }> {
  const columns: Json = {};
  let after: string | null = null;
  let pages = 0;
  do {
    const { status, body } = await request(
      'GET',
      `/api/plan/instruments?limit=${limit}${query}${after ? `&after=${after}` : ''}`,
    );
    expect(status).toBe(200);
    for (const [field, values] of Object.entries(body['columns'] as Json)) {
      (columns[field] ??= []).push(...(values as unknown[]));
    }
    after = body['nextCursor'];
    pages += 1;
  } while (after);
  return { pages, columns };
}

beforeAll(async () => {
  pg = await createTestSchema('dash_plan');
  const started = Date.now();
  await seedPlan(pg.writer, SEED);
  process.stdout.write(
    `seeded ${SEED.instruments} instruments (${SEED.instruments * PLAN_WINDOWS} windows) in ${Date.now() - started} ms\n`,
  );
  ({ app } = await appFor(pg, { clock: () => NOW }));
}, 300_000);

afterAll(async () => {
  await app?.close();
  await pg?.drop();
});

describe('plan instruments', () => {
  it('lists every instrument exactly once, where it is, in the state the seed implies', async () => {
    const { pages, columns } = await allPages();
    expect(pages).toBe(4);
    expect(columns['id']).toHaveLength(SEED.instruments);
    expect(new Set(columns['id']).size).toBe(SEED.instruments);
    const byId = new Map<string, number>(columns['id'].map((id: string, k: number) => [id, k]));
    const mismatches: unknown[] = [];
    for (let i = 0; i < SEED.instruments; i++) {
      const expected = seededInstrument(i);
      const k = byId.get(expected.id)!;
      const actual = {
        type: columns['type'][k],
        easting: columns['easting'][k],
        northing: columns['northing'][k],
        state: columns['state'][k],
        trigger_level: columns['trigger_level'][k],
        alarm_level: columns['alarm_level'][k],
        no_data: columns['no_data'][k],
        clock_status: columns['clock_status'][k],
      };
      const wanted = {
        type: expected.type,
        easting: expected.easting,
        northing: expected.northing,
        state: expected.state,
        ...expected.inputs,
      };
      if (JSON.stringify(actual) !== JSON.stringify(wanted))
        mismatches.push({ id: expected.id, actual, wanted });
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Every state occurs, so the check above covered each branch of the rule.
    expect(new Set(columns['state'])).toEqual(
      new Set(['normal', 'clock_skew', 'no_data', 'alert', 'alarm', 'action']),
    );
  });

  it('pages in (type, id) order and carries the latest value and times', async () => {
    const { body } = await request('GET', '/api/plan/instruments?limit=3');
    expect(body['count']).toBe(3);
    expect(body['columns']['id']).toEqual(['EX-P00003', 'EX-P00008', 'EX-P00013']);
    expect(body['units']['piezometer']).toBe('kPa');
    expect(body['states']).toEqual(['normal', 'clock_skew', 'no_data', 'alert', 'alarm', 'action']);
    // EX-P00003 is silent for a day: its latest window is 24 h before the others'.
    expect(body['columns']['last_window_start'][0]).toBe(SEED.endAt.getTime() - 86_400_000);
    expect(body['columns']['last_reading_at'][1]).toBe(SEED.endAt.getTime() + 9_000);
    expect(body['columns']['value'][1]).toBe((8 % 100) + PLAN_WINDOWS - 1);
    const next = await request('GET', `/api/plan/instruments?limit=2&after=${body['nextCursor']}`);
    expect(next.body['columns']['id']).toEqual(['EX-P00018', 'EX-P00023']);
  });

  it('filters by type and reports the clock offset', async () => {
    const { columns } = await allPages('&type=strain_gauge&type=piezometer');
    expect(columns['id']).toHaveLength(SEED.instruments * (2 / 5));
    expect(new Set(columns['type'])).toEqual(new Set(['strain_gauge', 'piezometer']));
    const k = columns['id'].indexOf(seededInstrument(66).id); // 66 % 61 = 5: ahead by 1 h
    expect([columns['clock_status'][k], columns['clock_offset_ms'][k]]).toEqual([
      'ahead',
      3_600_000,
    ]);
  });

  it.each([
    ['/api/plan/instruments?limit=0', /limit must be >= 1/],
    ['/api/plan/instruments?limit=10001', /limit must be <= 10000/],
    ['/api/plan/instruments?after=bm9wZQ', /after: not a cursor/],
    ['/api/plan/instruments?type=tiltmeter', /type.0 must be equal to one of/],
    ['/api/plan/instruments?colour=red', /unknown parameter "colour"/],
  ])('refuses %s with its reason', async (url, reason) => {
    const { status, body } = await request('GET', url);
    expect(status).toBe(400);
    expect(body['reasons'].join('; ')).toMatch(reason);
  });

  it('never scans the history: usual intervals by index probes, pages by keyset (EXPLAIN)', async () => {
    const { app: fresh } = await appFor(pg, { clock: () => NOW });
    const queries: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => {
      if (q.sql.includes('instrument_state')) queries.push(q);
    };
    pg.db.on('query', listener);
    try {
      const first = await fresh.inject({ method: 'GET', url: '/api/plan/instruments?limit=5000' });
      const after = (first.json() as Json)['nextCursor'];
      await fresh.inject({ method: 'GET', url: `/api/plan/instruments?limit=5000&after=${after}` });
    } finally {
      pg.db.removeListener('query', listener);
      await fresh.close();
    }
    // The usual intervals once (LATERAL probes), then one query per page.
    expect(queries.map((q) => q.sql.includes('LATERAL'))).toEqual([true, false, false]);
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${pg.schema}"`);
      for (const query of queries) {
        const plan = await client.query(`EXPLAIN ${query.sql}`, query.bindings);
        const text = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        expect(text).not.toMatch(/Seq Scan on reading_window/);
      }
    } finally {
      await client.end();
    }
  });
});

describe('site drawings', () => {
  const controlPoints = [
    { image: [0, 100], site: [320_000, 5_812_000] },
    { image: [200, 0], site: [320_400, 5_812_200] },
  ];

  it('adds a PNG placed by two control points, serves it safely, moves it, removes it', async () => {
    const png = makePng(200, 100);
    const created = await request('POST', '/api/plan/underlays', {
      name: 'Shaft 3 general arrangement',
      image: png.toString('base64'),
      opacity: 0.7,
      controlPoints,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Shaft 3 general arrangement',
      media_type: 'image/png',
      width: 200,
      height: 100,
      opacity: 0.7,
      control_points: controlPoints,
      image_bytes: png.length,
    });
    const t = created.body['transform'] as number[];
    const [a, b, c, d, e, f] = t.map((v) => (Math.abs(v) < 1e-9 ? 0 : v));
    expect([a, b, c, d, e, f]).toEqual([2, 0, 320_000, 0, -2, 5_812_200]);

    const listed = await request('GET', '/api/plan/underlays');
    expect(listed.body['underlays'].map((u: Json) => u['id'])).toEqual([created.body['id']]);
    expect(listed.body['underlays'][0]).not.toHaveProperty('image');

    const image = await request('GET', created.body['image_url']);
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);
    expect(image.headers['x-content-type-options']).toBe('nosniff');
    expect(image.raw.equals(png)).toBe(true);
    const unchanged = await app.inject({
      method: 'GET',
      url: created.body['image_url'],
      headers: { 'if-none-match': String(image.headers['etag']) },
    });
    expect(unchanged.statusCode).toBe(304);

    const moved = await request('PUT', `/api/plan/underlays/${created.body['id']}`, {
      transform: [1, 0, 316_000, 0, -1, 5_816_000],
      name: 'Shaft 3 (rev B)',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      name: 'Shaft 3 (rev B)',
      control_points: null,
      transform: [1, 0, 316_000, 0, -1, 5_816_000],
    });

    expect((await request('DELETE', `/api/plan/underlays/${created.body['id']}`)).status).toBe(204);
    expect((await request('GET', created.body['image_url'])).status).toBe(404);
    expect(
      (await request('DELETE', `/api/plan/underlays/${created.body['id']}`)).body['code'],
    ).toBe('underlay_not_found');
  });

  it('stores an SVG drawing as its bytes and serves it as SVG', async () => {
    const svg = markerSvg({
      width: 200,
      height: 100,
      cx: 150,
      cy: 50,
      side: 10,
      colour: '#0000ff',
    });
    const created = await request('POST', '/api/plan/underlays', {
      name: 'Tunnel alignment',
      image: Buffer.from(svg).toString('base64'),
      transform: [2, 0, 320_000, 0, -2, 5_812_200],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ media_type: 'image/svg+xml', width: 200, height: 100 });
    const image = await request('GET', created.body['image_url']);
    expect(image.headers['content-type']).toBe('image/svg+xml');
    expect(image.raw.toString('utf8')).toBe(svg);
    await request('DELETE', `/api/plan/underlays/${created.body['id']}`);
  });

  const png64 = makePng(10, 10).toString('base64');
  it.each([
    [
      'a file that is no image',
      { image: Buffer.from('%PDF-1.7').toString('base64'), controlPoints },
      'invalid_image',
      /not a PNG or an SVG/,
    ],
    [
      'an SVG with a script',
      {
        image: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><script>alert(1)</script></svg>',
        ).toString('base64'),
        controlPoints,
      },
      'invalid_image',
      /<script> is not accepted/,
    ],
    [
      'a PNG cut short',
      { image: makePng(10, 10).subarray(0, 40).toString('base64'), controlPoints },
      'invalid_image',
      /PNG/,
    ],
    [
      'text that is not base64',
      { image: 'not base64!', controlPoints },
      'invalid_image',
      /not base64/,
    ],
    [
      'coinciding control points',
      { image: png64, controlPoints: [controlPoints[0], { ...controlPoints[1], image: [0, 100] }] },
      'invalid_placement',
      /same point of the image/,
    ],
    [
      'a singular transform',
      { image: png64, transform: [1, 2, 0, 2, 4, 0] },
      'invalid_placement',
      /not invertible/,
    ],
    ['no placement', { image: png64 }, 'invalid_placement', /give the placement/],
    [
      'both placements',
      { image: png64, controlPoints, transform: [1, 0, 0, 0, -1, 0] },
      'invalid_placement',
      /not both/,
    ],
    [
      'one control point',
      { image: png64, controlPoints: [controlPoints[0]] },
      'invalid_parameters',
      /controlPoints must NOT have fewer than 2 items/,
    ],
    [
      'an opacity of 0',
      { image: png64, controlPoints, opacity: 0 },
      'invalid_parameters',
      /opacity must be > 0/,
    ],
  ])('refuses %s with a clear 400', async (_what, body, code, reason) => {
    const { status, body: answer } = await request('POST', '/api/plan/underlays', {
      name: 'x',
      ...body,
    });
    expect(status).toBe(400);
    expect(answer['code']).toBe(code);
    expect(answer['reasons'].join('; ')).toMatch(reason);
    expect((await request('GET', '/api/plan/underlays')).body['underlays']).toEqual([]);
  });

  it('refuses an image over the size limit, whether its base64 fits the body limit or not', async () => {
    const justOver = Buffer.alloc(8 * 1024 * 1024 + 3, 0x20).toString('base64');
    const over = await request('POST', '/api/plan/underlays', {
      name: 'big',
      image: justOver,
      controlPoints,
    });
    expect(over.status).toBe(400);
    expect(over.body['reasons'].join()).toMatch(/8388611 bytes; at most 8388608 are accepted/);
    const huge = Buffer.alloc(12 * 1024 * 1024, 0x20).toString('base64');
    const tooLarge = await request('POST', '/api/plan/underlays', {
      name: 'huge',
      image: huge,
      controlPoints,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({
      statusCode: 413,
      reasons: [expect.stringMatching(/too large/)],
    });
  });

  it('puts every change behind the admin seam (requireRole), reads stay open', async () => {
    const { app: guarded } = await appFor(pg, { clock: () => NOW, authorize: () => false });
    try {
      const refused = await guarded.inject({
        method: 'POST',
        url: '/api/plan/underlays',
        payload: { name: 'x', image: png64, controlPoints },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        code: 'forbidden',
        reasons: ['this needs the admin role'],
      });
      for (const method of ['PUT', 'DELETE'] as const) {
        const response = await guarded.inject({
          method,
          url: '/api/plan/underlays/00000000-0000-4000-8000-000000000000',
          ...(method === 'PUT' && { payload: { name: 'y' } }),
        });
        expect(response.statusCode).toBe(403);
      }
      expect((await guarded.inject({ method: 'GET', url: '/api/plan/underlays' })).statusCode).toBe(
        200,
      );
    } finally {
      await guarded.close();
    }
  });

  it('answers 404 for an unknown drawing and 400 for an id that is no uuid', async () => {
    expect(
      (await request('GET', '/api/plan/underlays/00000000-0000-4000-8000-000000000000/image'))
        .status,
    ).toBe(404);
    expect((await request('PUT', '/api/plan/underlays/nope', { name: 'x' })).status).toBe(400);
  });
});

describe('comparison CSV', () => {
  it('streams the windows of the chosen instruments over the range, instrument by instrument', async () => {
    const ids = [seededInstrument(1), seededInstrument(6), seededInstrument(4)];
    const query = ids.map((s) => `instrument=${s.type}:${s.id}`).join('&');
    const from = new Date(SEED.endAt.getTime() - 5 * 60_000).toISOString();
    const to = new Date(SEED.endAt.getTime() + 60_000).toISOString();
    const response = await app.inject({
      method: 'GET',
      url: `/api/compare.csv?${query}&from=${from}&to=${to}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain('geostream-comparison.csv');
    const lines = response.payload.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1 + 3 * 6);
    const keys = lines.slice(1).map((l) => l.split(',').slice(0, 2).join(':'));
    expect([...new Set(keys)]).toEqual([
      'piezometer:PZ-P00001',
      'piezometer:PZ-P00006',
      'strain_gauge:SG-P00004',
    ]);
  });

  it.each([
    [
      'instrument=tiltmeter:X&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
      /expected <type>:<id>/,
    ],
    [
      'instrument=piezometer:PZ-P00001&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      /from must be before to/,
    ],
    [
      'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
      /must have required property 'instrument'/,
    ],
  ])('refuses %s', async (query, reason) => {
    const { status, body } = await request('GET', `/api/compare.csv?${query}`);
    expect(status).toBe(400);
    expect(body['reasons'].join('; ')).toMatch(reason);
  });
});

describe('plan latency (measured, written to the README by hand; not an assertion)', () => {
  it('measures p50/p95 of plan pages and of the whole plan at 20,000 instruments', async () => {
    // The server's answer, end to end through inject() (validation, SQL, state, serialisation);
    // the cursor is read from the head of the JSON, as the page is not parsed.
    const page = async (after: string | null): Promise<string | null> => {
      const response = await app.inject({
        method: 'GET',
        url: `/api/plan/instruments?limit=5000${after ? `&after=${after}` : ''}`,
      });
      expect(response.statusCode).toBe(200);
      return /"nextCursor":(?:"([^"]*)"|null)/.exec(response.payload.slice(0, 2_000))?.[1] ?? null;
    };
    const pages: number[] = [];
    const wholePlans: number[] = [];
    for (let round = 0; round < 21; round++) {
      const whole = performance.now();
      const timings: number[] = [];
      let after: string | null = null;
      do {
        const started = performance.now();
        after = await page(after);
        timings.push(performance.now() - started);
      } while (after);
      if (round === 0) continue; // warm-up
      pages.push(...timings);
      wholePlans.push(performance.now() - whole);
    }
    const pct = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return Number(
        sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!.toFixed(1),
      );
    };
    const result = {
      instruments: SEED.instruments,
      page_size: 5_000,
      page_samples: pages.length,
      page_p50_ms: pct(pages, 0.5),
      page_p95_ms: pct(pages, 0.95),
      whole_plan_samples: wholePlans.length,
      whole_plan_p50_ms: pct(wholePlans, 0.5),
      whole_plan_p95_ms: pct(wholePlans, 0.95),
      load_average: loadavg().map((l) => Number(l.toFixed(2))),
      node: process.version,
    };
    process.stdout.write(`plan latency: ${JSON.stringify(result)}\n`);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(
      path.join(ARTIFACTS_DIR, 'plan-latency.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  });
});
