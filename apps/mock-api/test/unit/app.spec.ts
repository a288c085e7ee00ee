import { INSTRUMENT_TYPES, validateEnvelope } from '@geostream/instrument-schemas';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { buildApp, type MockApiOptions } from '../../src/app';
import { AllEnvelopesSchema, WireEnvelopeSchema } from '../../src/http/schemas';
import { NO_FAULTS, type FaultRates } from '../../src/simulation/faults';
import { settings, T0 } from '../fixtures';

async function withApp<T>(
  options: Partial<MockApiOptions> & { faults?: FaultRates },
  run: (app: ReturnType<typeof buildApp>['app']) => Promise<T>,
): Promise<T> {
  const { app } = buildApp({ simulation: settings(), now: () => T0, ...options });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

describe('GET /ping', () => {
  it('answers like the reference API', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/ping' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ping: 'pong!' });
    });
  });
});

describe('GET /health', () => {
  it('answers in the shape every app shares', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        service: 'mock-api',
        status: 'ok',
        checks: { simulator: { ok: true, detail: expect.stringMatching(/^\d+ instruments$/) } },
      });
    });
  });
});

describe('GET /params/:instrument', () => {
  it.each(INSTRUMENT_TYPES)('returns a valid envelope of current %s readings', async (type) => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: `/params/${type}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json();
      expect(Object.keys(body)).toEqual(['instruments', 'units', 'timezone', 'items']);
      const decoded = validateEnvelope(body);
      expect(decoded.problems).toEqual([]);
      expect(decoded.readings.length).toBe(body.items.length);
      expect(decoded.readings.every((r) => r.instrument === type)).toBe(true);
    });
  });

  it('accepts the reference URLs with a trailing slash', async () => {
    await withApp({}, async (app) => {
      expect((await app.inject({ method: 'GET', url: '/params/piezometer/' })).statusCode).toBe(
        200,
      );
    });
  });

  it('is a 404 with a JSON error for an unknown type', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/params/inclinometer' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        error: 'unknown_instrument',
        message: 'unknown instrument type "inclinometer"',
        known_instruments: [...INSTRUMENT_TYPES, 'all'],
      });
    });
  });

  it('answers the same bytes for the same seed and clock (reproducible demos)', async () => {
    const body = (faults: FaultRates) =>
      withApp(
        { faults },
        async (app) => (await app.inject({ method: 'GET', url: '/params/all' })).body,
      );
    const faults = { ...NO_FAULTS, nullField: 0.2, duplicate: 0.2 };
    expect(await body(faults)).toBe(await body(faults));
  });
});

describe('GET /params/all', () => {
  it('returns one envelope per type and the total count', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/params/all' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(Object.keys(body.envelopes)).toEqual([...INSTRUMENT_TYPES]);
      let total = 0;
      for (const type of INSTRUMENT_TYPES) {
        expect(validateEnvelope(body.envelopes[type]).problems).toEqual([]);
        total += body.envelopes[type].instruments;
      }
      expect(body.instruments).toBe(total);
    });
  });
});

describe('fault injection reaches the client as the bad bytes intended', () => {
  it('sends null fields as JSON null', async () => {
    await withApp({ faults: { ...NO_FAULTS, nullField: 1 } }, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/params/piezometer' });
      const items = response.json().items as Array<Record<string, unknown>>;
      for (const item of items) expect(Object.values(item)).toContain(null);
      expect(response.body).toContain(':null');
    });
  });

  it('sends non-numeric readings as text, not coerced to numbers', async () => {
    await withApp({ faults: { ...NO_FAULTS, nonNumeric: 1 } }, async (app) => {
      const items = (await app.inject({ method: 'GET', url: '/params/strain_gauge' })).json().items;
      for (const item of items) expect(typeof item.reading).toBe('string');
    });
  });

  it('sends empty fields as empty strings, and unknown types as they are', async () => {
    await withApp({ faults: { ...NO_FAULTS, emptyField: 1 } }, async (app) => {
      const items = (await app.inject({ method: 'GET', url: '/params/extensometer' })).json().items;
      for (const item of items) expect(Object.values(item)).toContain('');
    });
    await withApp({ faults: { ...NO_FAULTS, unknownType: 1 } }, async (app) => {
      const items = (await app.inject({ method: 'GET', url: '/params/extensometer' })).json().items;
      for (const item of items) expect(INSTRUMENT_TYPES).not.toContain(item.instrument);
    });
  });

  it('sends duplicated items twice, byte for byte', async () => {
    await withApp({ faults: { ...NO_FAULTS, duplicate: 1 } }, async (app) => {
      const items = (await app.inject({ method: 'GET', url: '/params/piezometer' })).json().items;
      for (let i = 0; i < items.length; i += 2) expect(items[i + 1]).toEqual(items[i]);
    });
  });

  it('answers an HTTP 500 with a JSON error', async () => {
    await withApp({ faults: { ...NO_FAULTS, http500: 1 } }, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/params/all' });
      expect(response.statusCode).toBe(500);
      expect(response.headers['x-simulated-fault']).toBe('http_500');
      expect(response.json()).toEqual({
        error: 'simulated_failure',
        message: 'simulated internal server error',
      });
    });
  });

  it('sends garbage bodies exactly as the simulator built them', async () => {
    const { app, simulator } = buildApp({
      simulation: settings(),
      now: () => T0,
      faults: { ...NO_FAULTS, garbage: 1 },
    });
    try {
      const kinds = new Set<string>();
      for (let n = 0; n < 40; n++) {
        const expected = simulator.respond('piezometer', T0, n, { ...NO_FAULTS, garbage: 1 });
        if (expected.kind !== 'garbage') throw new Error('expected garbage');
        const response = await app.inject({ method: 'GET', url: '/params/piezometer' });
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toBe(expected.payload.contentType);
        expect(response.rawPayload.equals(Buffer.from(expected.payload.body))).toBe(true);
        kinds.add(expected.garbage);
      }
      expect(kinds.size).toBe(5);
    } finally {
      await app.close();
    }
  });

  it('delays slow responses through the injected sleep', async () => {
    const waits: number[] = [];
    await withApp(
      {
        faults: { ...NO_FAULTS, slow: 1, slowMs: 2500 },
        sleep: async (ms) => void waits.push(ms),
      },
      async (app) => {
        const response = await app.inject({ method: 'GET', url: '/params/piezometer' });
        expect(response.statusCode).toBe(200);
        expect(response.headers['x-simulated-fault']).toBe('slow');
        expect(waits).toEqual([2500]);
      },
    );
  });
});

describe('errors and documentation', () => {
  it('answers an unknown route with a JSON 404', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/nowhere' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found', message: 'no route GET /nowhere' });
    });
  });

  it('serves the OpenAPI document with every route and the strict Reading schema', async () => {
    await withApp({}, async (app) => {
      const response = await app.inject({ method: 'GET', url: '/docs/json' });
      expect(response.statusCode).toBe(200);
      const document = response.json();
      expect(document.openapi).toBe('3.1.0');
      expect(Object.keys(document.paths).sort()).toEqual([
        '/health',
        '/params/all',
        '/params/{instrument}',
        '/ping',
      ]);
      expect(document.components.schemas.Reading.required).toEqual(
        expect.arrayContaining(['borehole_number', 'instrument', 'reading', 'timestamp']),
      );
      expect(document.paths['/params/{instrument}'].get.responses['404']).toBeDefined();
    });
  });

  it('serves Swagger UI from local assets, with no CDN', async () => {
    await withApp({}, async (app) => {
      const page = await app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('swagger-ui');
      expect(page.body).not.toMatch(/https?:\/\//);
      const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
      expect(bundle.statusCode).toBe(200);
    });
  });
});

describe('response schemas', () => {
  // The handlers serialise with JSON.stringify; the declared schemas must still describe the wire.
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const envelope = ajv.compile(WireEnvelopeSchema);
  const all = ajv.compile(AllEnvelopesSchema);
  const faults = {
    ...NO_FAULTS,
    nullField: 0.1,
    emptyField: 0.1,
    nonNumeric: 0.1,
    unknownType: 0.1,
    outOfOrder: 0.1,
    duplicate: 0.1,
  };

  it('describe every envelope sent, faulty items included', async () => {
    await withApp({ faults }, async (app) => {
      for (const type of INSTRUMENT_TYPES) {
        const body = (await app.inject({ method: 'GET', url: `/params/${type}` })).json();
        expect(envelope(body) ? [] : envelope.errors).toEqual([]);
      }
      const body = (await app.inject({ method: 'GET', url: '/params/all' })).json();
      expect(all(body) ? [] : all.errors).toEqual([]);
    });
  });
});

describe('resumable polling (?since=)', () => {
  const history = settings({ scanIntervalMs: 5_000, historyMs: 60_000, repeatRate: 0.1 });

  it('answers the current readings and the head of the log without a cursor, then what was recorded after it', async () => {
    let now = T0 + 2_000;
    const { app } = buildApp({ simulation: history, now: () => now });
    try {
      const first = await app.inject({ method: 'GET', url: '/params/piezometer' });
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-cursor']).toBe(`${T0 + 5_000}.0`);
      expect(first.headers['x-cursor-more']).toBe('false');
      now = T0 + 21_000; // scans at +5, +10, +15, +20 s are recorded
      const next = await app.inject({
        method: 'GET',
        url: `/params/piezometer?since=${first.headers['x-cursor']}`,
      });
      expect(next.statusCode).toBe(200);
      const envelope = next.json() as { instruments: number; items: { timestamp: string }[] };
      expect(validateEnvelope(envelope).problems).toEqual([]);
      const instruments = envelope.instruments;
      expect(envelope.items.length).toBeGreaterThanOrEqual(4 * instruments);
      expect(next.headers['x-cursor']).toBe(`${T0 + 25_000}.0`);
      expect(next.headers['x-cursor-gap-ms']).toBe('0');
      const times = envelope.items.map((i) => Date.parse(i.timestamp));
      expect(Math.min(...times)).toBeGreaterThan(T0 + 5_000 - 10_000);
      expect(Math.max(...times)).toBeLessThanOrEqual(T0 + 20_000);
    } finally {
      await app.close();
    }
  });

  it('serves the same bytes for the same cursor, and pages that add up to one answer', async () => {
    const now = T0 + 31_000;
    const faults: FaultRates = { ...NO_FAULTS, duplicate: 0.1, nullField: 0.05 };
    const { app } = buildApp({ simulation: history, faults, now: () => now });
    try {
      const url = `/params/all?since=${T0}.0`;
      const whole = await app.inject({ method: 'GET', url });
      const again = await app.inject({ method: 'GET', url });
      expect(again.body).toBe(whole.body);
      const items = (body: string): unknown[] =>
        Object.values(
          (JSON.parse(body) as { envelopes: Record<string, { items: unknown[] }> }).envelopes,
        ).flatMap((e) => e.items);
      const all = items(whole.body);
      expect(all.length).toBeGreaterThan(100);

      const paged: unknown[] = [];
      let cursor = `${T0}.0`;
      for (let pages = 0; ; pages++) {
        const page = await app.inject({
          method: 'GET',
          url: `/params/all?since=${cursor}&limit=37`,
        });
        expect(page.statusCode).toBe(200);
        paged.push(...items(page.body));
        cursor = page.headers['x-cursor'] as string;
        if (page.headers['x-cursor-more'] === 'false') break;
        expect(pages).toBeLessThan(1_000);
      }
      expect(cursor).toBe(whole.headers['x-cursor']);
      // Per type, the same items in the same order (pages group items by type, then concatenate).
      const byType = (list: unknown[]) =>
        JSON.stringify([...list].map((i) => JSON.stringify(i)).sort());
      expect(byType(paged)).toBe(byType(all));
    } finally {
      await app.close();
    }
  });

  it('says how much was lost when the cursor is older than the history', async () => {
    await withApp({ simulation: history, now: () => T0 + 120_000 }, async (app) => {
      const response = await app.inject({
        method: 'GET',
        url: `/params/extensometer?since=${T0}.0`,
      });
      expect(response.statusCode).toBe(200);
      // History 60 s: scans +65 s to +120 s are kept; 0 to +60 s are lost.
      expect(response.headers['x-cursor-gap-ms']).toBe('65000');
    });
  });

  it('refuses a malformed cursor with a stable code', async () => {
    await withApp({ simulation: history }, async (app) => {
      const response = await app.inject({
        method: 'GET',
        url: '/params/piezometer?since=yesterday',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'bad_cursor' });
    });
  });
});
