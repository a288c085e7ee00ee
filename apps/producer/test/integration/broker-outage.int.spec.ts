import {
  testServices,
  eventually,
  startDisposableKafka,
  type DisposableKafka,
} from '@geostream/platform/testing';
import { itemForms, sorted, startHarness, type Harness } from './harness';

/**
 * A broker of the test's own crashes (SIGKILL) mid-run, stays down while the producer keeps
 * polling into its buffer, then comes back: nothing fetched is lost, nothing is duplicated.
 */
describe('producer across a broker crash and restart (disposable broker)', () => {
  let broker: DisposableKafka | undefined;
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.dispose();
    await broker?.dispose();
  });

  it('loses and duplicates nothing when the broker is killed and restarted mid-run', async () => {
    broker = await startDisposableKafka();
    const b = broker;
    harness = await startHarness({
      kafka: { ...testServices().kafka, brokers: b.brokers },
      apiEnv: {
        SIM_SEED: '11',
        SIM_INSTRUMENTS_PER_TYPE: '30',
        FAULT_DUPLICATE_RATE: '0.05',
        SIM_REPEAT_RATE: '0.05',
      },
      producerEnv: { POLL_TYPES: 'all', POLL_INTERVAL_MS: '250' },
    });
    const h = harness;
    const committed = () =>
      h.metric('geostream_producer_transactions_total', { outcome: 'committed' });
    await eventually(async () => ((await committed()) >= 5 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'five committed transactions',
    });

    await b.kill();
    const fetchedAtCrash = await h.metric('geostream_producer_readings_fetched_total');
    // Polling goes on into the buffer while Kafka is down.
    await eventually(
      async () =>
        (await h.metric('geostream_producer_readings_fetched_total')) > fetchedAtCrash + 1000 &&
        (await h.metric('geostream_producer_kafka_failures_total')) > 0
          ? true
          : undefined,
      { timeoutMs: 60_000, what: 'readings buffered during the outage' },
    );
    expect(h.producer.buffered()).toBeGreaterThan(0);
    expect(h.producer.health().status).toBe('degraded');

    await b.start();
    const committedAtRestart = await committed();
    await eventually(
      async () =>
        (await committed()) > committedAtRestart + 3 && h.producer.buffered() < 500
          ? true
          : undefined,
      { timeoutMs: 90_000, what: 'the buffer drained after the restart' },
    );
    expect(h.producer.health().checks['kafka']?.ok).toBe(true);

    const { messages, expected } = await h.verify();
    expect(messages).toHaveLength(expected.items.length);
    expect(sorted(itemForms(messages))).toEqual(sorted(expected.items));
    const failed = await h.metric('geostream_producer_kafka_failures_total');
    expect(failed).toBeGreaterThan(0);
  });
});
