import { INSTRUMENT_TYPES } from '@geostream/instrument-schemas';
import { eventually, testServices } from '@geostream/platform/testing';
import { itemForms, sorted, startHarness, type Harness } from './harness';

/**
 * With a seeded mock-api (item faults on: duplicates, nulls, text readings, unknown types,
 * late readings), every item the API returned is on the raw topic exactly once: same count,
 * same content, same key, and per key in the order the API returned them.
 */
describe('producer -> raw topic, exactly once (shared broker)', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.dispose());

  it('puts every reading the API returned on the topic once, keyed and in order', async () => {
    harness = await startHarness({
      kafka: testServices().kafka,
      apiEnv: {
        SIM_SEED: '7',
        SIM_INSTRUMENTS_PER_TYPE: '40',
        SIM_REPEAT_RATE: '0.05',
        SIM_SILENT_RATE: '0.05',
        FAULT_DUPLICATE_RATE: '0.05',
        FAULT_NULL_RATE: '0.02',
        FAULT_EMPTY_RATE: '0.02',
        FAULT_NON_NUMERIC_RATE: '0.02',
        FAULT_UNKNOWN_TYPE_RATE: '0.02',
        FAULT_OUT_OF_ORDER_RATE: '0.02',
      },
      producerEnv: {},
    });
    const h = harness;
    await eventually(
      async () =>
        (await h.metric('geostream_producer_polls_total', { outcome: 'ok' })) >= 100
          ? true
          : undefined,
      { timeoutMs: 60_000, what: 'a hundred polls' },
    );
    const { messages, expected } = await h.verify();
    // Resumable polling: one start from the current readings per type, then pages after a cursor.
    const fresh = h.proxy.responses.filter((r) => !r.path.includes('since='));
    expect(fresh).toHaveLength(INSTRUMENT_TYPES.length);
    expect(h.proxy.responses.length).toBeGreaterThanOrEqual(100);

    expect(expected.items.length).toBeGreaterThan(100 * 40 * 0.8);
    expect(messages).toHaveLength(expected.items.length);
    expect(sorted(itemForms(messages))).toEqual(sorted(expected.items));
    expect(await h.metric('geostream_producer_messages_produced_total')).toBe(messages.length);

    // One instrument, one partition, in the order the API returned its readings.
    const byKey = new Map<string, { partitions: Set<number>; values: string[] }>();
    for (const m of messages) {
      const entry = byKey.get(m.key) ?? { partitions: new Set(), values: [] };
      entry.partitions.add(m.partition);
      entry.values.push(JSON.stringify(JSON.parse(m.value.toString())));
      byKey.set(m.key, entry);
    }
    for (const [key, { partitions, values }] of byKey) {
      expect(partitions.size).toBe(1);
      expect(values).toEqual(expected.byKey.get(key));
    }
    expect(new Set(messages.map((m) => m.partition)).size).toBe(6);

    const [first] = messages;
    expect(Object.keys(first?.headers ?? {}).sort()).toEqual([
      'ingested_at',
      'producer_id',
      'source',
    ]);
    expect(first?.headers).toMatchObject({
      producer_id: h.topic,
      source: expect.stringMatching(
        new RegExp(`^${h.proxy.url}/params/(${INSTRUMENT_TYPES.join('|')})$`),
      ),
      ingested_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });
});
