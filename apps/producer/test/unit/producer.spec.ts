import { createLogger } from '@geostream/platform';
import { eventually } from '@geostream/platform/testing';
import { Registry } from 'prom-client';
import { readProducerConfig } from '../../src/config';
import type { Fetch } from '../../src/polling/fetch-response';
import { startProducer } from '../../src/producer';
import { FakeKafka } from '../fake-kafka';

const logger = createLogger('producer-test', 'silent');

function envelope(n: number, tag: string): string {
  const items = Array.from({ length: n }, (_, i) => ({
    borehole_number: `BH-${i}`,
    instrument: 'piezometer',
    reading: i,
    tag,
  }));
  return JSON.stringify({ instruments: n, units: 'pore pressure (kPa)', timezone: 'UTC', items });
}

/**
 * An API with a log: reading n is `{"borehole_number": "BH-<n mod 7>", "reading": n}`; the log
 * grows by `perCall` readings at every request. Without `since` it answers nothing new and the
 * head; with `since=<n>` readings n.. (at most `limit`), `x-cursor` the next n.
 */
function loggingApi(perCall: number): { fetch: Fetch; head: () => number; sinces: string[] } {
  let head = 0;
  const sinces: string[] = [];
  const fetch: Fetch = async (url) => {
    head += perCall;
    const query = new URL(url).searchParams;
    const since = query.get('since');
    sinces.push(since ?? '-');
    const from = since === null ? head : Number(since);
    const to = Math.min(head, from + Number(query.get('limit') ?? head));
    const items = Array.from({ length: to - from }, (_, i) => ({
      borehole_number: `BH-${(from + i) % 7}`,
      instrument: 'piezometer',
      reading: from + i,
    }));
    return new Response(JSON.stringify({ instruments: 7, units: 'u', timezone: 'UTC', items }), {
      headers: { 'x-cursor': String(to), 'x-cursor-more': String(to < head) },
    });
  };
  return { fetch, head: () => head, sinces };
}

function config(env: Record<string, string> = {}) {
  return readProducerConfig({
    POLL_TYPES: 'piezometer',
    POLL_INTERVAL_MS: '10',
    POLL_TIMEOUT_MS: '200',
    POLL_RETRIES: '1',
    PRODUCER_FLUSH_TIMEOUT_MS: '5000',
    ...env,
  });
}

async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('startProducer (fake API and Kafka)', () => {
  it('puts every fetched item on the topic once and flushes on stop', async () => {
    const kafka = new FakeKafka(3);
    let polls = 0;
    const fetch: Fetch = async () => new Response(envelope(5, `poll${polls++}`));
    const registry = new Registry();
    const producer = startProducer(config(), { kafkaPort: kafka, logger, registry, fetch });
    await eventually(() => (polls >= 5 ? true : undefined), { what: 'five polls' });
    const report = await producer.stop();
    expect(report).toEqual({ unflushed: 0, unresolved: 0 });
    const values = kafka
      .committed()
      .flat()
      .map((r) => r.value);
    expect(values).toHaveLength(5 * polls);
    expect(new Set(values).size).toBe(values.length);
    expect(await metric(registry, 'geostream_producer_messages_produced_total')).toBe(5 * polls);
    expect(await metric(registry, 'geostream_producer_readings_fetched_total')).toBe(5 * polls);
  });

  it('stops polling when the buffer is full while Kafka is down, and resumes when it returns', async () => {
    const kafka = new FakeKafka(2);
    let polls = 0;
    const fetch: Fetch = async () => new Response(envelope(10, `poll${polls++}`));
    const registry = new Registry();
    const producer = startProducer(
      config({ PRODUCER_MAX_BUFFERED: '50', PRODUCER_RESUME_BUFFERED: '20' }),
      { kafkaPort: kafka, logger, registry, fetch },
    );
    // Polling starts once the cursors are read from Kafka; then Kafka goes down.
    await eventually(() => (polls > 0 && producer.buffered() === 0 ? true : undefined), {
      what: 'a first poll delivered',
    });
    kafka.down = true;
    await eventually(() => (producer.health().status === 'down' ? true : undefined), {
      what: 'a full buffer',
    });
    const pollsWhenFull = polls;
    expect(producer.buffered()).toBe(50); // five polls of ten: the bound is never overrun by more than one poll
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls).toBe(pollsWhenFull);
    expect(
      await metric(registry, 'geostream_producer_polls_total', { outcome: 'skipped' }),
    ).toBeGreaterThan(0);
    expect(await metric(registry, 'geostream_producer_polling_paused')).toBe(1);

    kafka.down = false;
    await eventually(() => (polls > pollsWhenFull + 3 ? true : undefined), {
      what: 'polling resumed',
    });
    expect(producer.health().status).toBe('ok');
    await producer.stop();
    const values = kafka
      .committed()
      .flat()
      .map((r) => r.value);
    expect(values).toHaveLength(10 * polls);
    expect(new Set(values).size).toBe(values.length);
  });

  it('survives HTTP 500s, timeouts and garbage: counts them, retries, forwards the garbage', async () => {
    const kafka = new FakeKafka(2);
    let calls = 0;
    const fetch: Fetch = (_url, { signal }) => {
      const n = calls++;
      if (n % 4 === 0) return Promise.resolve(new Response('oops', { status: 500 }));
      if (n % 4 === 1)
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      if (n % 4 === 2) return Promise.resolve(new Response('<html>bad gateway</html>'));
      return Promise.resolve(new Response(envelope(3, `call${n}`)));
    };
    const registry = new Registry();
    const producer = startProducer(config({ POLL_TIMEOUT_MS: '30', POLL_RETRIES: '3' }), {
      kafkaPort: kafka,
      logger,
      registry,
      fetch,
    });
    await eventually(() => (calls >= 16 ? true : undefined), { what: 'sixteen requests' });
    await producer.stop();
    const count = (kind: string) =>
      metric(registry, 'geostream_producer_api_errors_total', { kind });
    expect(await count('http_500')).toBeGreaterThanOrEqual(4);
    expect(await count('timeout')).toBeGreaterThanOrEqual(4);
    expect(await count('garbage')).toBeGreaterThanOrEqual(4);
    const committed = kafka.committed().flat();
    const garbage = committed.filter((r) => r.key === 'unparsed:piezometer');
    expect(garbage.length).toBe(await count('garbage'));
    expect(garbage.every((r) => r.value === '<html>bad gateway</html>')).toBe(true);
    expect(committed.length - garbage.length).toBe(
      3 * (await metric(registry, 'geostream_producer_polls_total', { outcome: 'ok' })),
    );
  });

  it('commits its cursor with the readings, and after losing its buffer resumes from it: nothing lost or repeated', async () => {
    const kafka = new FakeKafka(3);
    const api = loggingApi(4);
    const registry = () => new Registry();
    const first = startProducer(
      config({ POLL_PAGE_READINGS: '5', PRODUCER_FLUSH_TIMEOUT_MS: '50' }),
      {
        kafkaPort: kafka,
        logger,
        registry: registry(),
        fetch: api.fetch,
      },
    );
    await eventually(() => (kafka.committed().flat().length >= 20 ? true : undefined), {
      what: 'twenty readings committed',
    });
    // Kafka goes down and the process dies with readings fetched and not committed.
    kafka.down = true;
    await eventually(() => (first.buffered() >= 10 ? true : undefined), {
      what: 'readings buffered',
    });
    const lost = await first.stop();
    expect(lost.unflushed).toBeGreaterThanOrEqual(10);
    kafka.down = false;
    const committedBefore = kafka.committed().flat().length;

    const second = startProducer(config({ POLL_PAGE_READINGS: '5' }), {
      kafkaPort: kafka,
      logger,
      registry: registry(),
      fetch: api.fetch,
    });
    await eventually(
      () => (kafka.committed().flat().length >= committedBefore + 40 ? true : undefined),
      { what: 'the second run catching up' },
    );
    expect(await second.stop()).toEqual({ unflushed: 0, unresolved: 0 });

    // The raw topic holds the log from the first cursor on, each reading once, and per key in order.
    const readings = kafka
      .committed()
      .flat()
      .map((r) => (JSON.parse(r.value) as { reading: number }).reading);
    const start = Math.min(...readings);
    expect([...readings].sort((a, b) => a - b)).toEqual(
      Array.from({ length: readings.length }, (_, i) => start + i),
    );
    for (const log of kafka.committed()) {
      const values = log.map((r) => (JSON.parse(r.value) as { reading: number }).reading);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    // The second run asked first for what the state topic said was committed.
    const state = kafka.committedState();
    expect(state.every((r) => r.key === 'geostream-producer:piezometer')).toBe(true);
    expect(JSON.parse(state.at(-1)?.value ?? '{}')).toMatchObject({
      cursor: String(start + readings.length),
      source: 'http://127.0.0.1:3000/params/piezometer',
    });
    expect(api.sinces.filter((s) => s === '-')).toHaveLength(1); // one fresh start only
  });

  it('refuses a response larger than POLL_MAX_RESPONSE_BYTES: counted, nothing forwarded', async () => {
    const kafka = new FakeKafka(2);
    let calls = 0;
    const fetch: Fetch = async () => {
      calls++;
      return new Response(envelope(200, 'big'));
    };
    const registry = new Registry();
    const producer = startProducer(config({ POLL_MAX_RESPONSE_BYTES: '2000', POLL_RETRIES: '0' }), {
      kafkaPort: kafka,
      logger,
      registry,
      fetch,
    });
    await eventually(() => (calls >= 3 ? true : undefined), { what: 'three requests' });
    await producer.stop();
    expect(
      await metric(registry, 'geostream_producer_api_errors_total', { kind: 'too_large' }),
    ).toBeGreaterThanOrEqual(3);
    expect(kafka.committed().flat()).toEqual([]);
  });

  it('counts readings lost at the source when the API no longer keeps what its cursor asked for', async () => {
    const kafka = new FakeKafka(2);
    let calls = 0;
    const fetch: Fetch = async (url) => {
      calls++;
      const since = new URL(url).searchParams.get('since');
      return new Response(envelope(2, `call${calls}`), {
        headers: { 'x-cursor': String(calls), 'x-cursor-gap-ms': since === '1' ? '7000' : '0' },
      });
    };
    const registry = new Registry();
    const producer = startProducer(config(), { kafkaPort: kafka, logger, registry, fetch });
    await eventually(() => (calls >= 4 ? true : undefined), { what: 'four requests' });
    await producer.stop();
    expect(
      await metric(registry, 'geostream_producer_source_gap_ms_total', { target: 'piezometer' }),
    ).toBe(7000);
    // The readings that came with the gap are forwarded like any others.
    expect(kafka.committed().flat()).toHaveLength(2 * calls);
  });

  it('waits out a state topic that still answers its own earlier cursor after a reconnect, and goes on', async () => {
    const kafka = new FakeKafka(3);
    const api = loggingApi(4);
    const registry = new Registry();
    const producer = startProducer(
      config({ POLL_PAGE_READINGS: '5', PRODUCER_FLUSH_TIMEOUT_MS: '50' }),
      { kafkaPort: kafka, logger, registry, fetch: api.fetch },
    );
    let superseded = false;
    void producer.failed.then(() => (superseded = true));
    await eventually(() => (kafka.committed().flat().length >= 20 ? true : undefined), {
      what: 'twenty readings committed',
    });
    // The broker restarts: the session is lost, and once back the state topic answers the
    // commit before the last for three reads.
    kafka.down = true;
    await eventually(() => (producer.buffered() >= 5 ? true : undefined), {
      what: 'readings buffered while Kafka is down',
    });
    kafka.staleStateReads = 3;
    kafka.down = false;
    const committedBefore = kafka.committed().flat().length;
    await eventually(
      () => {
        if (superseded) throw new Error('stopped as superseded by its own earlier cursor');
        return kafka.committed().flat().length >= committedBefore + 40 ? true : undefined;
      },
      { what: 'the producer going on after the stale reads', timeoutMs: 20_000 },
    );
    expect(kafka.staleStateReads).toBe(0); // its ownership check did read the stale answers
    expect(superseded).toBe(false);
    expect(await producer.stop()).toEqual({ unflushed: 0, unresolved: 0 });
    const readings = kafka
      .committed()
      .flat()
      .map((r) => (JSON.parse(r.value) as { reading: number }).reading);
    const start = Math.min(...readings);
    expect([...readings].sort((a, b) => a - b)).toEqual(
      Array.from({ length: readings.length }, (_, i) => start + i),
    );
  }, 30_000); // the stale reads are retried with the sender's backoff

  it('takes an own earlier cursor answered for longer than the transaction timeout plus a margin as a takeover', async () => {
    const kafka = new FakeKafka(3);
    const api = loggingApi(4);
    let clockSkewMs = 0; // how far this instance's clock is moved on (the wait is counted in time)
    const producer = startProducer(
      config({
        POLL_PAGE_READINGS: '5',
        PRODUCER_FLUSH_TIMEOUT_MS: '50',
        PRODUCER_TRANSACTION_TIMEOUT_MS: '1000',
      }),
      {
        kafkaPort: kafka,
        logger,
        registry: new Registry(),
        fetch: api.fetch,
        now: () => Date.now() + clockSkewMs,
      },
    );
    let superseded = false;
    void producer.failed.then(() => (superseded = true));
    await eventually(() => (kafka.committed().flat().length >= 20 ? true : undefined), {
      what: 'twenty readings committed',
    });
    kafka.down = true;
    await eventually(() => (producer.buffered() >= 5 ? true : undefined), {
      what: 'readings buffered while Kafka is down',
    });
    kafka.staleStateReads = 1_000; // the topic never catches up
    kafka.down = false;
    await eventually(() => (kafka.staleStateReads < 1_000 ? true : undefined), {
      what: 'the first stale read',
    });
    expect(superseded).toBe(false); // within the limit it waits
    clockSkewMs = 1_000 + 30_000 + 1; // past the transaction timeout plus the margin
    await eventually(() => (superseded ? true : undefined), {
      what: 'stopped as superseded',
      timeoutMs: 20_000,
    });
    await producer.stop();
  }, 30_000);

  it('lets one of two instances on one transactional id go on, and stops the other: nothing duplicated', async () => {
    const kafka = new FakeKafka(3);
    const api = loggingApi(4);
    const start = () =>
      startProducer(config({ POLL_PAGE_READINGS: '5', PRODUCER_FLUSH_TIMEOUT_MS: '50' }), {
        kafkaPort: kafka,
        logger,
        registry: new Registry(),
        fetch: api.fetch,
      });
    const first = start();
    await eventually(() => (kafka.committed().flat().length >= 20 ? true : undefined), {
      what: 'the first instance committing',
    });
    // A second instance with the same transactional id (a restart that overlapped the old one).
    const second = start();
    const stopped: string[] = [];
    void first.failed.then(() => stopped.push('first'));
    void second.failed.then(() => stopped.push('second'));
    const before = kafka.committed().flat().length;
    await eventually(
      () =>
        stopped.length === 1 && kafka.committed().flat().length >= before + 60 ? true : undefined,
      { what: 'one instance superseded, the other going on' },
    );
    const survivor = stopped[0] === 'first' ? second : first;
    expect((await survivor.stop()).unresolved).toBe(0);
    await (stopped[0] === 'first' ? first : second).stop();
    expect(stopped).toHaveLength(1);

    const readings = kafka
      .committed()
      .flat()
      .map((r) => (JSON.parse(r.value) as { reading: number }).reading);
    const from = Math.min(...readings);
    expect([...readings].sort((a, b) => a - b)).toEqual(
      Array.from({ length: readings.length }, (_, i) => from + i),
    );
  });
});
