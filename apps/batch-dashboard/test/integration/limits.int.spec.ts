import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { eventually } from '@geostream/platform/testing';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { seedHistory, type HistorySeed } from '../support/seed-history';

/**
 * The dashboard hardened for a site network, against a real PostgreSQL: export and live-stream
 * limits (the history's and the comparison's exports alike), the read-only role and the drawings
 * writer, Secure cookies behind a proxy, sessions that expire.
 */
const SEED: HistorySeed = {
  instrumentsPerType: 40,
  windowsPerInstrument: 100,
  endAt: new Date('2026-03-01T12:00:00.000Z'),
};
const ROWS = 5 * SEED.instrumentsPerType * SEED.windowsPerInstrument;
const NOW = SEED.endAt.getTime() + 30_000;
const TOKEN = 'limits-token-0123456789abcdef';

let pg: TestSchema;

beforeAll(async () => {
  pg = await createTestSchema('dash_limits');
  await seedHistory(pg.writer, SEED);
}, 120_000);

afterAll(async () => {
  await pg?.drop();
});

/** An app on a real socket: the limits are about connections that stay open. */
async function listening(
  overrides: Parameters<typeof appFor>[1],
): Promise<{ app: FastifyInstance; url: string }> {
  const { app } = await appFor(pg, { clock: () => NOW, ...overrides });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

/** Opens a GET and keeps it open without reading the body (a slow or idle client). */
function holdOpen(url: string): Promise<{ status: number; close(): void }> {
  return new Promise((resolve, reject) => {
    // node:http, not fetch: undici keeps a spare pooled socket that would hold close() open.
    const request = http.get(url, (response) => {
      response.pause();
      resolve({ status: response.statusCode ?? 0, close: () => request.destroy() });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET') reject(error);
    });
  });
}

async function fetchJson(
  url: string,
): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers: { connection: 'close' } });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Every export slot is taken: a 503 with Retry-After in the API's error shape. */
async function expectExportRefused(url: string): Promise<void> {
  const refused = await fetchJson(url);
  expect(refused.status).toBe(503);
  expect(refused.retryAfter).toBe('30');
  expect(refused.body).toMatchObject({ statusCode: 503, code: 'too_many_exports' });
}

/** An export that stopped early gave its connection back to the pool (its cursor closed). */
async function connectionsReleased(): Promise<void> {
  const pool = (pg.db.client as { pool: { numUsed(): number } }).pool;
  await eventually(() => (pool.numUsed() === 0 ? true : undefined), {
    timeoutMs: 10_000,
    what: 'every pooled connection to be released',
  });
}

describe('CSV export limits', () => {
  it('stops after CSV_MAX_ROWS rows with a last line saying so', async () => {
    const { app } = await appFor(pg, { clock: () => NOW, csv: { maxRows: 50 } });
    try {
      const response = await app.inject({ method: 'GET', url: '/api/history.csv' });
      expect(response.statusCode).toBe(200);
      const lines = response.payload.split('\r\n');
      expect(lines).toHaveLength(1 + 50 + 1 + 1);
      expect(lines[51]).toMatch(/^"# export stopped after 50 rows \(CSV_MAX_ROWS\)/);
      // A filter that matches fewer rows than the limit: complete, no note.
      const small = await app.inject({ method: 'GET', url: '/api/history.csv?limit=50' });
      expect(small.payload).not.toContain('export stopped');
      expect(small.payload.split('\r\n')).toHaveLength(1 + 50 + 1);
      await connectionsReleased();
    } finally {
      await app.close();
    }
  });

  it('stops after CSV_MAX_DURATION_MS with a last line saying so', async () => {
    let clock = NOW;
    const { app } = await appFor(pg, {
      clock: () => (clock += 100), // every look at the clock is a tenth of a second later
      csv: { maxDurationMs: 1_000 },
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/api/history.csv' });
      expect(response.statusCode).toBe(200);
      const lines = response.payload.split('\r\n');
      expect(lines.at(-2)).toMatch(/^"# export stopped after 1 s \(CSV_MAX_DURATION_MS\)/);
      expect(lines.length).toBeLessThan(ROWS);
      await connectionsReleased();
    } finally {
      await app.close();
    }
  });

  it('refuses an export past CSV_MAX_CONCURRENT with a 503 and Retry-After, and pages still answer', async () => {
    const { app, url } = await listening({ csv: { maxConcurrent: 1 } });
    try {
      // The whole history is megabytes of CSV: a client that does not read holds its export.
      const first = await holdOpen(`${url}/api/history.csv`);
      expect(first.status).toBe(200);
      await expectExportRefused(`${url}/api/history.csv`);
      expect((await fetchJson(`${url}/api/history?limit=1`)).status).toBe(200);
      first.close();
      // Its slot comes back once the export has ended (cursor closed, connection released).
      await eventually(
        async () => {
          const next = await holdOpen(`${url}/api/history.csv?limit=10`);
          next.close();
          return next.status === 200 ? true : undefined;
        },
        { timeoutMs: 10_000, what: 'the export slot to be released' },
      );
    } finally {
      await app.close();
    }
  });
});

describe('the comparison export', () => {
  const compareUrl = (base: string) =>
    `${base}/api/compare.csv?instrument=piezometer:PZ-0001&instrument=piezometer:PZ-0002` +
    `&from=2026-02-01T00:00:00.000Z&to=2026-03-02T00:00:00.000Z`;

  it('stops after CSV_MAX_ROWS rows like the history export, with the same last line', async () => {
    const { app } = await appFor(pg, { clock: () => NOW, csv: { maxRows: 50 } });
    try {
      // Two instruments of 100 windows each: 200 rows, cut at 50.
      const response = await app.inject({ method: 'GET', url: compareUrl('') });
      expect(response.statusCode).toBe(200);
      const lines = response.payload.split('\r\n');
      expect(lines).toHaveLength(1 + 50 + 1 + 1);
      expect(lines[51]).toMatch(/^"# export stopped after 50 rows \(CSV_MAX_ROWS\)/);
      await connectionsReleased();
    } finally {
      await app.close();
    }
  });

  it('shares the export slots with the history: refused with a 503 while the history export holds the last one', async () => {
    const { app, url } = await listening({ csv: { maxConcurrent: 1 } });
    try {
      const history = await holdOpen(`${url}/api/history.csv`);
      expect(history.status).toBe(200);
      await expectExportRefused(compareUrl(url));
      history.close();
      await eventually(
        async () => {
          const response = await fetch(compareUrl(url), { headers: { connection: 'close' } });
          const text = await response.text();
          return response.status === 200 ? text : undefined;
        },
        { timeoutMs: 10_000, what: 'the export slot to be released' },
      ).then((text) => expect(text.split('\r\n')).toHaveLength(1 + 200 + 1));
    } finally {
      await app.close();
    }
  });
});

describe('live connections', () => {
  it('refuses a stream past LIVE_MAX_CONNECTIONS with a 503 and Retry-After', async () => {
    const { app, url } = await listening({ sse: { maxConnections: 2 } });
    try {
      const open = [await holdOpen(`${url}/api/live`), await holdOpen(`${url}/api/live`)];
      expect(open.map((o) => o.status)).toEqual([200, 200]);
      const refused = await fetchJson(`${url}/api/live`);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('15');
      expect(refused.body).toMatchObject({ code: 'too_many_live_connections' });
      open[0]?.close();
      await eventually(
        async () => {
          const again = await holdOpen(`${url}/api/live`);
          again.close();
          return again.status === 200 ? true : undefined;
        },
        { timeoutMs: 10_000, what: 'a live slot to be released' },
      );
      open[1]?.close();
    } finally {
      await app.close();
    }
  });
});

describe('the read-only role', () => {
  it('is who the dashboard is on the database, and it cannot write', async () => {
    const { rows } = (await pg.db.raw(
      'select current_user as role, current_setting($$default_transaction_read_only$$) as ro',
    )) as { rows: Array<{ role: string; ro: string }> };
    expect(rows[0]).toEqual({ role: 'geostream_reader', ro: 'on' });
    // Even with a read-write transaction asked for, the role itself has no right to write.
    const attempts = [
      'insert into reading_window select * from reading_window limit 1',
      'update reading_window set reading_mean = 0',
      'delete from alert_event',
      'create table intruder (x int)',
      'truncate instrument_state',
    ];
    for (const sql of attempts) {
      await expect(
        pg.db.transaction(async (trx) => {
          await trx.raw('set transaction read write');
          await trx.raw(sql);
        }),
      ).rejects.toMatchObject({ code: '42501' }); // insufficient_privilege
    }
    // And by default its transactions are read-only on top of that.
    await expect(pg.db.raw('delete from alert_event')).rejects.toMatchObject({ code: '25006' });
    expect(Number((await pg.writer('reading_window').count({ n: '*' }))[0]?.['n'])).toBe(ROWS);
  });

  it('cannot write the site drawings either: only the drawings writer can, and it can write nothing else', async () => {
    const drawing = `insert into plan_underlay
        (name, media_type, image, image_sha256, image_bytes, width, height, transform)
      values ('intruder', 'image/png', '\\x00', 'x', 1, 1, 1, '{1,0,0,0,1,0}')`;
    await expect(
      pg.db.transaction(async (trx) => {
        await trx.raw('set transaction read write');
        await trx.raw(drawing);
      }),
    ).rejects.toMatchObject({ code: '42501' });

    const { rows } = (await pg.drawings.raw(
      'select current_user as role, current_setting($$default_transaction_read_only$$) as ro',
    )) as { rows: Array<{ role: string; ro: string }> };
    expect(rows[0]).toEqual({ role: 'geostream_drawings_writer', ro: 'off' });
    // It writes drawings (rolled back here: the plan tests store them through the routes) ...
    await pg.drawings
      .transaction(async (trx) => {
        await trx.raw(drawing);
        await trx.raw(`update plan_underlay set opacity = 0.5 where name = 'intruder'`);
        await trx.raw(`delete from plan_underlay where name = 'intruder'`);
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    // ... and nothing else, not even reading the history.
    for (const sql of [
      'select count(*) from reading_window',
      'insert into reading_window select * from reading_window limit 1',
      'delete from alert_event',
      'update instrument_state set unit = unit',
      'create table intruder (x int)',
    ]) {
      await expect(pg.drawings.raw(sql)).rejects.toMatchObject({ code: '42501' });
    }
    expect(Number((await pg.writer('plan_underlay').count({ n: '*' }))[0]?.['n'])).toBe(0);
  });
});

describe('sessions behind a proxy', () => {
  async function signIn(app: FastifyInstance, headers: Record<string, string> = {}) {
    const response = await app.inject({
      method: 'GET',
      url: `/dashboard/?token=${TOKEN}`,
      headers,
    });
    expect(response.statusCode).toBe(303);
    return String(response.headers['set-cookie']);
  }

  it('marks the cookie Secure when TRUST_PROXY believes the proxy said https', async () => {
    const trusting = await appFor(pg, { accessToken: TOKEN, trustProxy: true });
    const naive = await appFor(pg, { accessToken: TOKEN });
    try {
      const forwarded = { 'x-forwarded-proto': 'https' };
      expect(await signIn(trusting.app, forwarded)).toMatch(/; Secure$/);
      expect(await signIn(trusting.app)).not.toMatch(/Secure/);
      // Without TRUST_PROXY, anyone could claim https: the header is ignored.
      expect(await signIn(naive.app, forwarded)).not.toMatch(/Secure/);
    } finally {
      await trusting.app.close();
      await naive.app.close();
    }
  });

  it('refuses a session cookie once DASHBOARD_SESSION_MAX_AGE_S has passed', async () => {
    let clock = NOW;
    const { app } = await appFor(pg, {
      accessToken: TOKEN,
      clock: () => clock,
      sessionMaxAgeS: 3_600,
    });
    try {
      const setCookie = await signIn(app);
      expect(setCookie).toContain('Max-Age=3600');
      const cookie = setCookie.split(';')[0] as string;
      const ask = () =>
        app.inject({ method: 'GET', url: '/api/history?limit=1', headers: { cookie } });
      expect((await ask()).statusCode).toBe(200);
      clock += 3_599_000;
      expect((await ask()).statusCode).toBe(200);
      clock += 2_000;
      expect((await ask()).statusCode).toBe(401);
      // A forged expiry does not help: the signature covers it.
      const [, signature] = cookie.split('.');
      const forged = `geostream_dashboard=${Math.floor(clock / 1000) + 3_600}.${signature}`;
      const response = await app.inject({
        method: 'GET',
        url: '/api/history?limit=1',
        headers: { cookie: forged },
      });
      expect(response.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
