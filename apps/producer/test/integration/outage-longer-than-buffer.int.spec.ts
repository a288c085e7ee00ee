import {
  eventually,
  startDisposableKafka,
  testServices,
  type DisposableKafka,
} from '@geostream/platform/testing';
import { itemForms, sorted, startHarness, type Harness } from './harness';

/**
 * Fault test (c): Kafka down for longer than the producer's buffer holds. The buffer fills,
 * polling pauses, and the API goes on recording; when Kafka returns, the producer pages from
 * its cursor through what was recorded meanwhile. Nothing the API served is missing, nothing
 * is there twice, and the readings taken during the outage are on the topic.
 */
describe('Kafka down longer than the buffer holds (disposable broker)', () => {
  let broker: DisposableKafka | undefined;
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    await broker?.dispose();
  });

  it('fetches what the API recorded during the outage once Kafka returns', async () => {
    broker = await startDisposableKafka();
    const b = broker;
    harness = await startHarness({
      kafka: { ...testServices().kafka, brokers: b.brokers },
      apiEnv: { SIM_SEED: '31', SIM_INSTRUMENTS_PER_TYPE: '30', SIM_REPEAT_RATE: '0' },
      producerEnv: {
        POLL_TYPES: 'all',
        POLL_INTERVAL_MS: '100',
        PRODUCER_MAX_BUFFERED: '600',
        PRODUCER_RESUME_BUFFERED: '300',
        POLL_PAGE_READINGS: '1000',
      },
    });
    const h = harness;
    const committed = () =>
      h.metric('geostream_producer_transactions_total', { outcome: 'committed' });
    await eventually(async () => ((await committed()) >= 5 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'five committed transactions',
    });

    await b.kill();
    await eventually(
      async () =>
        (await h.metric('geostream_producer_polling_paused')) === 1 &&
        (await h.metric('geostream_producer_polls_total', { outcome: 'skipped' })) > 20
          ? true
          : undefined,
      { timeoutMs: 60_000, what: 'the buffer full and polling paused' },
    );
    const pausedAt = Date.now();
    // The API records 150 readings every 100 ms: four seconds is ten times the buffer.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const restartedAt = Date.now();
    await b.start();

    // Caught up: a page served after the restart holds readings taken after it.
    const latestReading = (body: Buffer): number =>
      Math.max(
        0,
        ...[...body.toString().matchAll(/"timestamp":"([^"]+)"/g)].map((m) =>
          Date.parse(m[1] ?? ''),
        ),
      );
    await eventually(
      () =>
        h.proxy.responses.some((r) => r.delivered && latestReading(r.body) > restartedAt + 1_000)
          ? true
          : undefined,
      { timeoutMs: 90_000, what: 'the outage caught up' },
    );

    const { messages, expected } = await h.verify();
    const onTopic = itemForms(messages);
    expect(new Set(onTopic).size).toBe(onTopic.length);
    expect(sorted(onTopic)).toEqual(sorted([...new Set(expected.items)]));
    expect(h.proxy.responses.every((r) => (r.headers['x-cursor-gap-ms'] ?? '0') === '0')).toBe(
      true,
    );
    // The readings taken while polling was paused are there: about 150 per 100 ms.
    const during = messages.filter((m) => {
      const at = Date.parse((JSON.parse(m.value.toString()) as { timestamp: string }).timestamp);
      return at > pausedAt + 200 && at < restartedAt - 200;
    });
    expect(during.length).toBeGreaterThan(((restartedAt - pausedAt - 400) / 100) * 150 * 0.9);
  });
});
