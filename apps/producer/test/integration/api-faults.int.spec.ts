import { eventually, testServices } from '@geostream/platform/testing';
import { itemForms, sorted, startHarness, type Harness } from './harness';

/**
 * HTTP 500s, responses slower than the poll timeout and garbage bodies do not stop the
 * producer: it counts them, retries, forwards garbage whole (for the processor's DLQ), and still
 * delivers every reading of the good responses exactly once.
 */
describe('producer against a failing API (shared broker)', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.dispose());

  it('keeps running through 500s, timeouts and garbage, and forwards the garbage with its bytes', async () => {
    harness = await startHarness({
      kafka: testServices().kafka,
      apiEnv: {
        SIM_SEED: '3',
        SIM_INSTRUMENTS_PER_TYPE: '20',
        FAULT_HTTP_500_RATE: '0.2',
        FAULT_GARBAGE_RATE: '0.2',
        FAULT_SLOW_RATE: '0.15',
        FAULT_SLOW_MS: '5000',
      },
      producerEnv: {
        POLL_TYPES: 'all',
        POLL_INTERVAL_MS: '100',
        POLL_TIMEOUT_MS: '1500',
        POLL_RETRIES: '1',
      },
    });
    const h = harness;
    const errors = (kind: string) => h.metric('geostream_producer_api_errors_total', { kind });
    await eventually(
      async () =>
        (await errors('http_500')) >= 2 &&
        (await errors('timeout')) >= 2 &&
        (await errors('garbage')) >= 2 &&
        (await h.metric('geostream_producer_polls_total', { outcome: 'ok' })) >= 10
          ? true
          : undefined,
      { timeoutMs: 90_000, what: 'every kind of API failure, and good polls' },
    );
    const ok = await h.metric('geostream_producer_polls_total', { outcome: 'ok' });
    await eventually(
      async () =>
        (await h.metric('geostream_producer_polls_total', { outcome: 'ok' })) > ok
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'polling to go on after the failures' },
    );

    const { messages, expected } = await h.verify();
    expect(sorted(itemForms(messages))).toEqual(sorted(expected.items));
    const unparsed = messages.filter((m) => m.headers['payload'] === 'unparsed_response');
    expect(unparsed.map((m) => m.value.toString('base64')).sort()).toEqual(
      expected.unparsed.map((b) => b.toString('base64')).sort(),
    );
    expect(unparsed.length).toBe(await errors('garbage'));
    expect(unparsed.every((m) => m.key === 'unparsed:all')).toBe(true);
    // The slow responses the producer gave up on never reached it: nothing of theirs was produced.
    expect(h.proxy.responses.filter((r) => !r.delivered).length).toBeGreaterThan(0);
  });
});
