import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { eventually } from '@geostream/platform/testing';
import { appFor, createTestSchema, type TestSchema } from '../support/app-under-test';
import { seedHistory, type HistorySeed } from '../support/seed-history';

/**
 * The dashboard hardened for a site network, against a real PostgreSQL: export and live-stream
 * limits, the read-only role, Secure cookies behind a proxy, sessions that expire.
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
      const refused = await fetchJson(`${url}/api/history.csv`);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('30');
      expect(refused.body).toMatchObject({ statusCode: 503, code: 'too_many_exports' });
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
