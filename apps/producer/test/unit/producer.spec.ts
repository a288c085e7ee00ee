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
    kafka.down = true;
    let polls = 0;
    const fetch: Fetch = async () => new Response(envelope(10, `poll${polls++}`));
    const registry = new Registry();
    const producer = startProducer(
      config({ PRODUCER_MAX_BUFFERED: '50', PRODUCER_RESUME_BUFFERED: '20' }),
      { kafkaPort: kafka, logger, registry, fetch },
    );
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
});
