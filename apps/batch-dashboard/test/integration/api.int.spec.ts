/* eslint-disable @typescript-eslint/no-non-null-assertion -- test expectations on known data */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createPostgresSink } from '@geostream/sinks';
import { eventually } from '@geostream/platform/testing';
import { Client } from 'pg';
import { CSV_BOM } from '../../src/csv/csv';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { ARTIFACTS_DIR } from '../support/browser';
import { makeRaise, makeWindow } from '../support/records';
import {
  cadenceMs,
  isSilent,
  seedHistory,
  windowStartMs,
  type HistorySeed,
} from '../support/seed-history';

/**
 * The API against a real PostgreSQL holding a million windows (the sinks' migrations in a
 * schema of this suite's own, seeded with set-based SQL once), through inject(): no network,
 * no Kafka.
 */
const SEED: HistorySeed = {
  instrumentsPerType: 400,
  windowsPerInstrument: 500,
  endAt: new Date('2026-03-01T12:00:00.000Z'),
};
const ROWS = 5 * SEED.instrumentsPerType * SEED.windowsPerInstrument;
const NOW = SEED.endAt.getTime() + 30_000;
const XSS_ID = '<img src=x onerror=alert(1)>';
const FORMULA_ID = '=HYPERLINK("http://evil","x")';
const TOKEN = 'test-token-0123456789abcdef';

let pg: TestSchema;
let app: FastifyInstance;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Record<string, unknown> }> {
  const response = await app.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json() as Json, headers: response.headers };
}

beforeAll(async () => {
  pg = await createTestSchema('dash_api');
  const started = Date.now();
  await seedHistory(pg.writer, SEED);
  // Instruments whose ids are attacks, written the way the processor writes them.
  const sink = createPostgresSink({ connectionString: pg.url, schema: pg.schema });
  const attack = makeWindow({
    instrument: 'piezometer',
    borehole: XSS_ID,
    startMs: SEED.endAt.getTime() - 60_000,
    mean: 260,
    level: 'alert',
  });
  const formula = makeWindow({
    instrument: 'piezometer',
    borehole: FORMULA_ID,
    startMs: SEED.endAt.getTime() - 60_000,
    mean: -5,
    level: 'none',
  });
  await sink.writeBatch({ windows: [attack, formula], alerts: [makeRaise(attack, 'alert', 250)] });
  await sink.close();
  process.stdout.write(
    `seeded ${ROWS.toLocaleString('en')} windows in ${Date.now() - started} ms\n`,
  );
  ({ app } = await appFor(pg, { clock: () => NOW }));
}, 300_000);

afterAll(async () => {
  await app?.close();
  await pg?.drop();
});

describe('validation: bad input is a 400 with every reason, never a 500', () => {
  it.each([
    ['/api/history?limit=0', /limit must be >= 1/],
    ['/api/history?limit=abc', /limit must be integer/],
    ['/api/history?limit=100000', /limit must be <= 500/],
    [
      '/api/history?sort=reading_mean',
      /sort must be equal to one of the allowed values \(time, instrument\)/,
    ],
    ['/api/history?sort=window_start;drop%20table%20x', /sort must be equal to one of/],
    ['/api/history?dir=sideways', /dir must be equal to one of/],
    ['/api/history?type=tiltmeter', /type.0 must be equal to one of the allowed values/],
    ['/api/history?level=red', /level.0 must be equal to one of/],
    ['/api/history?from=yesterday', /from must match format "date-time"/],
    ['/api/history?from=2026-01-01T00:00:00', /from must match format "date-time"/],
    ['/api/history?colour=blue', /unknown parameter "colour"/],
    ['/api/meta?colour=blue', /unknown parameter "colour"/],
    ['/api/live?colour=blue', /unknown parameter "colour"/],
    ['/health?colour=blue', /unknown parameter "colour"/],
    ['/api/openapi.json?colour=blue', /unknown parameter "colour"/],
    ['/api/history?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', /from must be before to/],
    ['/api/history?after=bm90IGEgY3Vyc29y', /after: not a cursor/],
    ['/api/history?borehole=PZ-0001&after=bm90IGEgY3Vyc29y&offset=5', /either after or offset/],
    ['/api/history?offset=100001', /offset must be <= 100000/],
    [`/api/history?borehole=${'x'.repeat(201)}`, /borehole must NOT have more than 200 characters/],
    ['/api/instrument?type=piezometer', /must have required property 'borehole'/],
    [
      '/api/instrument/series?type=piezometer&borehole=PZ-0001&maxPoints=1',
      /maxPoints must be >= 10/,
    ],
    ['/api/alerts?borehole=PZ-0001', /borehole needs type/],
    ['/api/overview?limit=-1', /limit must be >= 1/],
    ['/api/history.csv?sort=evil', /sort must be equal to one of/],
  ])('%s', async (url, reason) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body['reasons'].join('; ')).toMatch(reason);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('reports all problems of one request at once', async () => {
    const { status, body } = await get('/api/history?limit=0&sort=x&bogus=1');
    expect(status).toBe(400);
    expect(body['reasons']).toHaveLength(3);
  });
});

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe('history paging, sorting and filtering', () => {
  async function sqlIds(
    where: string,
    order: string,
    limit: number,
    bindings: unknown[] = [],
  ): Promise<string[]> {
    const result = await pg.db.raw(
      `SELECT id FROM reading_window ${where} ORDER BY ${order} LIMIT ${limit}`,
      bindings as never,
    );
    return (result as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
  }

  async function walk(query: string, pages: number): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (let p = 0; p < pages; p++) {
      const { status, body } = await get(
        `/api/history?${query}&limit=100${after ? `&after=${after}` : ''}`,
      );
      expect(status).toBe(200);
      ids.push(...body['rows'].map((r: Json) => r['id']));
      after = body['nextCursor'];
      if (!after) break;
    }
    return ids;
  }

  it('pages newest first by keyset, matching the database order exactly', async () => {
    expect(await walk('sort=time&dir=desc', 3)).toEqual(
      await sqlIds('', 'window_start DESC, id DESC', 300),
    );
  });

  it('pages oldest first', async () => {
    expect(await walk('sort=time&dir=asc', 2)).toEqual(
      await sqlIds('', 'window_start ASC, id ASC', 200),
    );
  });

  it('sorts by instrument (type, id, time) both ways', async () => {
    expect(await walk('sort=instrument&dir=asc', 2)).toEqual(
      await sqlIds('', 'instrument ASC, borehole_number ASC, window_start ASC', 200),
    );
    expect(await walk('sort=instrument&dir=desc', 1)).toEqual(
      await sqlIds('', 'instrument DESC, borehole_number DESC, window_start DESC', 100),
    );
  });

  it('gives the same page by offset as by cursor', async () => {
    const byCursor = await walk('sort=time', 3);
    const { body } = await get('/api/history?sort=time&limit=100&offset=200');
    expect(body['rows'].map((r: Json) => r['id'])).toEqual(byCursor.slice(200, 300));
  });

  it('filters by type and level, with an exact total when small', async () => {
    const { body } = await get(
      '/api/history?type=strain_gauge&level=alarm&level=action&limit=500&total=true',
    );
    const expected = await sqlIds(
      "WHERE instrument = 'strain_gauge' AND trigger_level IN ('alarm', 'action')",
      'window_start DESC, id DESC',
      10_000,
    );
    expect(body['total']).toEqual({ value: expected.length, exact: true });
    expect(body['rows'].map((r: Json) => r['id'])).toEqual(expected.slice(0, 500));
    for (const row of body['rows']) {
      expect(row.instrument).toBe('strain_gauge');
      expect(['alarm', 'action']).toContain(row.trigger_level);
    }
  });

  it('filters by one instrument (with or without its type) and a time range', async () => {
    const from = new Date(windowStartMs(SEED, 42, 100)).toISOString();
    const to = new Date(windowStartMs(SEED, 42, 150)).toISOString();
    for (const query of [`type=piezometer&borehole=PZ-0042`, `borehole=PZ-0042`]) {
      const { body } = await get(
        `/api/history?${query}&from=${from}&to=${to}&total=true&limit=500`,
      );
      expect(body['total']).toEqual({ value: 50, exact: true });
      expect(body['rows']).toHaveLength(50);
      expect(body['hasMore']).toBe(false);
      expect(body['nextCursor']).toBeNull();
      expect(body['rows'][0]).toMatchObject({
        instrument: 'piezometer',
        borehole_number: 'PZ-0042',
        window_start: new Date(windowStartMs(SEED, 42, 149)).toISOString(),
      });
    }
  });

  it('estimates the total of a big match instead of counting millions', async () => {
    const { body } = await get('/api/history?total=true&limit=1');
    expect(body['total'].exact).toBe(false);
    expect(body['total'].value).toBeGreaterThan(ROWS * 0.8);
    expect(body['total'].value).toBeLessThan(ROWS * 1.2);
    expect(body['hasMore']).toBe(true);
  });

  it('returns text from the data as data (the browser renders it as text)', async () => {
    const { body } = await get(
      `/api/history?type=piezometer&borehole=${encodeURIComponent(XSS_ID)}`,
    );
    expect(body['rows'][0].borehole_number).toBe(XSS_ID);
  });

  it('serves every page query from an index (EXPLAIN: no sequential scan, no sort of the table)', async () => {
    const page = await get('/api/history?sort=time&limit=100');
    const deep = page.body['nextCursor'] as string;
    const queries: Array<{ sql: string; bindings: unknown[] }> = [];
    const listener = (q: { sql: string; bindings: unknown[] }) => {
      if (q.sql.startsWith('select "id"')) queries.push(q);
    };
    pg.db.on('query', listener);
    for (const url of [
      '/api/history?sort=time&dir=desc',
      '/api/history?sort=time&dir=asc',
      `/api/history?sort=time&after=${deep}`,
      '/api/history?type=extensometer',
      '/api/history?type=extensometer&type=piezometer',
      '/api/history?borehole=PZ-0042',
      '/api/history?type=piezometer&borehole=PZ-0042&sort=time&dir=asc',
      '/api/history?level=action',
      '/api/history?from=2026-02-28T00:00:00Z&to=2026-02-28T06:00:00Z',
      '/api/history?sort=instrument',
      '/api/history?sort=instrument&dir=desc&type=settlement_marker',
    ]) {
      expect((await get(url)).status).toBe(200);
    }
    pg.db.removeListener('query', listener);
    expect(queries).toHaveLength(11);
    // knex reports the SQL with $n placeholders: EXPLAIN it on a plain client in the schema.
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${pg.schema}"`);
      for (const query of queries) {
        const plan = await client.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.bindings);
        const nodes = planNodes(
          (plan.rows[0] as { 'QUERY PLAN': Array<{ Plan: PlanNode }> })['QUERY PLAN'][0]!.Plan,
        );
        expect({
          sql: query.sql,
          seqScans: nodes.filter((n) => n['Node Type'] === 'Seq Scan').length,
        }).toEqual({ sql: query.sql, seqScans: 0 });
        // A full Sort is fine only over a small input (one instrument's windows); the order of
        // anything big must come from reading an index.
        const bigSorts = nodes.filter(
          (n) => n['Node Type'] === 'Sort' && (n.Plans?.[0]?.['Plan Rows'] ?? 0) > 10_000,
        );
        expect({ sql: query.sql, bigSorts }).toEqual({ sql: query.sql, bigSorts: [] });
      }
    } finally {
      await client.end();
    }
  });
});

describe('instrument drill-down', () => {
  it('shows metadata, trigger levels, the latest window and a derived value', async () => {
    const { status, body } = await get('/api/instrument?type=piezometer&borehole=PZ-0042');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      instrument: 'piezometer',
      borehole_number: 'PZ-0042',
      unit: 'kPa',
      quantity: 'pore pressure',
      surface_level: 80 + (42 % 7),
      trigger_levels: { rising: { alert: 250, alarm: 300, action: 350 } },
      last_window: { window_start: new Date(windowStartMs(SEED, 42, 499)).toISOString() },
      derived: { kind: 'piezometric_head', unit: 'm' },
    });
    expect(body['derived'].last_value).toBeCloseTo(body['last_window'].reading_mean / 9.81, 9);
  });

  it('derives standpipe depth below ground and resolves surface-relative levels', async () => {
    const { body } = await get('/api/instrument?type=water_standpipe&borehole=WS-0003');
    expect(body['derived'].kind).toBe('depth_below_surface');
    expect(body['derived'].last_value).toBeCloseTo(
      body['surface_level'] - body['last_window'].reading_mean,
      9,
    );
    expect(body['trigger_levels'].rising.alert).toBeCloseTo(body['surface_level'] - 1.5, 9);
  });

  it('is a 404 for an unknown instrument', async () => {
    const { status, body } = await get('/api/instrument?type=piezometer&borehole=NOPE');
    expect(status).toBe(404);
    expect(body['code']).toBe('instrument_not_found');
  });

  it('returns every window as a point when few, and true-mean buckets when many', async () => {
    const all = await get(
      '/api/instrument/series?type=extensometer&borehole=EX-0010&from=2020-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&maxPoints=5000',
    );
    expect(all.body['bucketMs']).toBe(0);
    expect(all.body['points']).toHaveLength(500);
    const few = await get(
      '/api/instrument/series?type=extensometer&borehole=EX-0010&from=2020-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&maxPoints=50',
    );
    expect(few.body['bucketMs']).toBeGreaterThan(0);
    expect(few.body['points'].length).toBeLessThanOrEqual(51);
    const points: Json[] = few.body['points'];
    const raw: Json[] = all.body['points'];
    // Oracle: every bucket's mean is the count-weighted mean of its windows; counts add up.
    expect(points.reduce((sum, p) => sum + p['count'], 0)).toBe(
      raw.reduce((sum, p) => sum + p['count'], 0),
    );
    const firstBucketEnd = Date.parse(points[0]!['t']) + few.body['bucketMs'];
    const inFirst = raw.filter((p) => Date.parse(p['t']) < firstBucketEnd);
    const weighted =
      inFirst.reduce((s, p) => s + p['mean'] * p['count'], 0) /
      inFirst.reduce((s, p) => s + p['count'], 0);
    expect(points[0]!['mean']).toBeCloseTo(weighted, 9);
    expect(points[0]!['min']).toBe(Math.min(...inFirst.map((p) => p['min'])));
    expect(points[0]!['max']).toBe(Math.max(...inFirst.map((p) => p['max'])));
  });

  it("lists an instrument's alerts newest first, paged by cursor", async () => {
    const first = await get('/api/alerts?type=piezometer&borehole=PZ-0001&limit=2');
    const expected = await pg
      .db('alert_event')
      .where({ instrument: 'piezometer', borehole_number: 'PZ-0001' })
      .orderBy([
        { column: 'window_end', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .pluck('id');
    expect(expected.length).toBeGreaterThan(2);
    const second = await get(
      `/api/alerts?type=piezometer&borehole=PZ-0001&limit=100&before=${first.body['nextCursor']}`,
    );
    expect([...first.body['alerts'], ...second.body['alerts']].map((a: Json) => a['id'])).toEqual(
      expected,
    );
  });

  it('finds instruments by part of their id', async () => {
    const { body } = await get('/api/instruments?q=pz-004&limit=50');
    expect(body['instruments'].map((i: Json) => i['borehole_number'])).toEqual(
      Array.from({ length: 10 }, (_, i) => `PZ-004${i}`),
    );
    const literal = await get(`/api/instruments?q=${encodeURIComponent('%')}`);
    expect(literal.body['instruments']).toEqual([]);
  });
});

describe('overview', () => {
  it('counts reporting and stale instruments per type, by their usual interval', async () => {
    const { body } = await get('/api/overview?limit=1000');
    const silentPerType = Array.from({ length: SEED.instrumentsPerType }, (_, i) => i).filter(
      isSilent,
    ).length;
    const strain = body['types'].find((t: Json) => t['type'] === 'strain_gauge');
    expect(strain).toMatchObject({
      instruments: 400,
      stale: silentPerType,
      reporting: 400 - silentPerType,
    });
    const piezometers = body['types'].find((t: Json) => t['type'] === 'piezometer');
    expect(piezometers).toMatchObject({ instruments: 402 });
    const levels: string[] = await pg
      .db('instrument_state')
      .where('instrument', 'piezometer')
      .distinct()
      .pluck('trigger_level');
    const worst = ['action', 'alarm', 'alert', 'none'].find((l) => levels.includes(l));
    expect(piezometers['worst_level']).toBe(worst);
    const stale = body['attention'].filter((a: Json) => a['stale']);
    expect(stale).toHaveLength(5 * silentPerType);
    for (const a of stale) {
      expect(isSilent(Number(a['borehole_number'].slice(3)))).toBe(true);
      expect(a['usual_interval_ms']).toBe(cadenceMs(Number(a['borehole_number'].slice(3))));
    }
  });

  it('counts and lists the instruments whose clock the stream-processor judged off', async () => {
    const fast = { instrument: 'extensometer', borehole_number: 'EX-0007' };
    const before = await pg.db('instrument_state').where(fast).first();
    try {
      await pg
        .writer('instrument_state')
        .where(fast)
        .update({ clock_status: 'ahead', clock_offset_ms: 3_600_000 });
      const { body } = await get('/api/overview?limit=1000');
      const extensometers = body['types'].find((t: Json) => t['type'] === 'extensometer');
      expect(extensometers['clock_skewed']).toBe(1);
      expect(body['types'].map((t: Json) => t['clock_skewed'])).toEqual([0, 0, 0, 1, 0]);
      expect(
        body['attention'].find((a: Json) => a['borehole_number'] === fast.borehole_number),
      ).toMatchObject({ ...fast, clock_status: 'ahead', clock_offset_ms: 3_600_000 });
    } finally {
      await pg.writer('instrument_state').where(fast).update({
        clock_status: before['clock_status'],
        clock_offset_ms: before['clock_offset_ms'],
      });
    }
  });

  it('lists the worst first', async () => {
    const { body } = await get('/api/overview?limit=1000');
    const ranks = body['attention'].map((a: Json) =>
      ['none', 'alert', 'alarm', 'action'].indexOf(a['trigger_level']),
    );
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });
});

describe('CSV export', () => {
  it('streams the filtered history as escaped CSV with formula protection', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/history.csv?type=piezometer&from=2026-03-01T11:58:00Z',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('attachment');
    const lines = response.payload.split('\r\n');
    expect(lines[0]!.startsWith(`${CSV_BOM}instrument,borehole_number,window_start`)).toBe(true);
    const formulaLine = lines.find((l) => l.includes('HYPERLINK'));
    expect(formulaLine).toBe(
      `piezometer,"'=HYPERLINK(""http://evil"",""x"")",2026-03-01T11:59:00.000Z,2026-03-01T11:59:10.000Z,-5,-6,-4,3,kPa,none,80,5812000,320000,2026-03-01T11:59:01.000Z,2026-03-01T11:59:09.000Z,"piezometer:=HYPERLINK(""http://evil"",""x""):2026-03-01T11:59:00.000Z"`,
    );
    const expected = await pg
      .db('reading_window')
      .where('instrument', 'piezometer')
      .where('window_start', '>=', new Date('2026-03-01T11:58:00Z'))
      .count({ n: '*' });
    expect(lines.length - 2).toBe(Number(expected[0]!.n));
  });

  it('streams a million rows from a cursor: bytes flow before the query is done, and a client leaving frees the connection', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      // node:http, not fetch: undici keeps a spare pooled socket that would hold close() open.
      await new Promise<void>((resolve, reject) => {
        const request = http.get(`${address}/api/history.csv`, (response) => {
          let bytes = 0;
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes >= 1_000_000) {
              request.destroy();
              resolve();
            }
          });
          response.on('end', () =>
            reject(new Error('the whole export arrived before 1 MB was read')),
          );
        });
        request.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ECONNRESET') reject(error);
        });
      });
      // The pool (4 connections) still answers: the export's cursor was closed and released.
      for (let i = 0; i < 6; i++) expect((await get('/api/history?limit=1')).status).toBe(200);
      await eventually(
        async () => {
          const { rows } = (await pg.writer.raw(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'batch-dashboard' AND state = 'active' AND query ILIKE '%reading_window%' AND pid <> pg_backend_pid()",
          )) as { rows: Array<{ n: number }> };
          return rows[0]!.n === 0 ? true : undefined;
        },
        { timeoutMs: 10_000, what: 'the export query to stop' },
      );
    } finally {
      await app.close();
      ({ app } = await appFor(pg, { clock: () => NOW }));
    }
  });
});

describe('security', () => {
  it('sends security headers with a strict CSP whose style nonce is the one on the page', async () => {
    const response = await app.inject({ method: 'GET', url: '/dashboard/' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const nonce = /<meta name="csp-style-nonce" content="([^"]+)"/.exec(response.payload)?.[1];
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(response.payload).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'SAMEORIGIN',
    });
    const next = await app.inject({ method: 'GET', url: '/dashboard/' });
    expect(next.headers['content-security-policy']).not.toBe(csp); // a fresh nonce per response
  });

  it('serves the bundle from the app itself (no CDN)', async () => {
    const js = await app.inject({ method: 'GET', url: '/dashboard/assets/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    const page = await app.inject({ method: 'GET', url: '/dashboard/' });
    expect(page.payload).not.toMatch(/https?:\/\//);
  });

  it('publishes an OpenAPI document covering every API route', async () => {
    const { body } = await get('/api/openapi.json');
    expect(Object.keys(body['paths']).sort()).toEqual(
      [
        '/api/alerts',
        '/api/auth/me',
        '/api/compare.csv',
        '/api/history',
        '/api/history.csv',
        '/api/instrument',
        '/api/instrument/series',
        '/api/instruments',
        '/api/live',
        '/api/meta',
        '/api/overview',
        '/api/plan/instruments',
        '/api/plan/underlays',
        '/api/plan/underlays/{id}',
        '/api/plan/underlays/{id}/image',
        '/health',
        '/metrics',
      ].sort(),
    );
    expect(body['paths']['/api/history'].get.parameters.map((p: Json) => p['name'])).toEqual(
      expect.arrayContaining([
        'type',
        'borehole',
        'from',
        'to',
        'level',
        'sort',
        'dir',
        'limit',
        'after',
        'offset',
        'total',
      ]),
    );
    expect((await app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
  });

  describe('with DASHBOARD_TOKEN', () => {
    let guarded: FastifyInstance;
    beforeAll(async () => {
      ({ app: guarded } = await appFor(pg, { accessToken: TOKEN, clock: () => NOW }));
    });
    afterAll(() => guarded.close());

    it('refuses the API without the token, with a 401 saying how', async () => {
      for (const url of [
        '/api/history',
        '/api/overview',
        '/api/live',
        '/api/history.csv',
        '/api/openapi.json',
      ]) {
        const response = await guarded.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toContain('Bearer');
      }
      const wrong = await guarded.inject({
        method: 'GET',
        url: '/api/history',
        headers: { authorization: `Bearer ${TOKEN}x` },
      });
      expect(wrong.statusCode).toBe(401);
    });

    it('accepts the bearer token', async () => {
      const response = await guarded.inject({
        method: 'GET',
        url: '/api/history?limit=1',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
    });

    it('sends the page to the sign-in form, and the form sets an HttpOnly session cookie', async () => {
      const page = await guarded.inject({ method: 'GET', url: '/dashboard/' });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe('/dashboard/login');
      expect((await guarded.inject({ method: 'GET', url: '/dashboard/login' })).statusCode).toBe(
        200,
      );
      const bad = await guarded.inject({
        method: 'POST',
        url: '/dashboard/login',
        payload: 'token=nope',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(bad.headers.location).toBe('/dashboard/login?failed=1');
      const good = await guarded.inject({
        method: 'POST',
        url: '/dashboard/login',
        payload: `token=${TOKEN}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(good.statusCode).toBe(303);
      const cookie = String(good.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).not.toContain(TOKEN);
      const session = cookie.split(';')[0]!;
      expect(
        (await guarded.inject({ method: 'GET', url: '/dashboard/', headers: { cookie: session } }))
          .statusCode,
      ).toBe(200);
      expect(
        (await guarded.inject({ method: 'GET', url: '/api/meta', headers: { cookie: session } }))
          .statusCode,
      ).toBe(200);
      expect(
        (
          await guarded.inject({
            method: 'GET',
            url: '/api/meta',
            headers: { cookie: `${session}x` },
          })
        ).statusCode,
      ).toBe(401);
    });

    it('exchanges ?token= for the cookie and drops it from the address', async () => {
      const response = await guarded.inject({ method: 'GET', url: `/dashboard/?token=${TOKEN}` });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/dashboard/');
      expect(String(response.headers['set-cookie'])).toMatch(/^geostream_dashboard=/);
      const wrong = await guarded.inject({ method: 'GET', url: '/dashboard/?token=wrong' });
      expect(wrong.headers.location).toBe('/dashboard/login?failed=1');
    });

    it('keeps health, metrics and the static bundle open', async () => {
      expect((await guarded.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      expect(
        (await guarded.inject({ method: 'GET', url: '/dashboard/assets/app.css' })).statusCode,
      ).toBe(200);
    });
  });
});

describe('page-query latency (measured, written to the README by hand; not an assertion)', () => {
  it('measures p50/p95 of history page queries on the seeded table', async () => {
    const deep = await get('/api/history?sort=time&limit=100&offset=50000');
    const queries = [
      '/api/history?limit=100',
      `/api/history?limit=100&after=${deep.body['nextCursor']}`,
      '/api/history?limit=100&sort=time&dir=asc',
      '/api/history?limit=100&type=piezometer',
      '/api/history?limit=100&borehole=SG-0123',
      '/api/history?limit=100&level=alarm&level=action',
      '/api/history?limit=100&from=2026-02-28T00:00:00Z&to=2026-02-28T12:00:00Z',
      '/api/history?limit=100&sort=instrument',
      '/api/history?limit=100&total=true&type=extensometer',
    ];
    for (const url of queries) await get(url); // warm-up
    const timings: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const url of queries) {
        const started = performance.now();
        const { status } = await get(url);
        timings.push(performance.now() - started);
        expect(status).toBe(200);
      }
    }
    timings.sort((a, b) => a - b);
    const pct = (p: number) =>
      timings[Math.min(timings.length - 1, Math.ceil(p * timings.length) - 1)]!;
    const result = {
      rows: ROWS,
      samples: timings.length,
      p50_ms: Number(pct(0.5).toFixed(1)),
      p95_ms: Number(pct(0.95).toFixed(1)),
      max_ms: Number(pct(1).toFixed(1)),
      node: process.version,
    };
    process.stdout.write(`page query latency: ${JSON.stringify(result)}\n`);
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(
      path.join(ARTIFACTS_DIR, 'page-query-latency.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
  });
});
