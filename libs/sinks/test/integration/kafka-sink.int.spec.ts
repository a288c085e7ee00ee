import { buildDeadLetter } from '@geostream/instrument-schemas';
import { eventually, uniqueName } from '@geostream/platform/testing';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { createKafkaSink, perTypeTopicNamer, type KafkaSink } from '../../src';
import { alertFor, windowRecord } from '../support/records';
import { testKafka } from './services';

interface Received {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly value: Buffer;
}

describe('Kafka sink (real broker, own topics per test)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let run: string;
  let sink: KafkaSink;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
  });

  beforeEach(() => {
    run = uniqueName('sinks-test');
    sink = createKafkaSink({
      kafka,
      topics: {
        perType: perTypeTopicNamer({ prefix: `${run}.` }),
        alerts: `${run}.alerts`,
        deadLetter: `${run}.dlq`,
      },
      partitions: 2,
    });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await sink.close();
    const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(`${run}.`));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  });

  afterAll(() => admin.disconnect());

  /** Reads every topic of the sink from the beginning until `count` messages arrived. */
  async function consume(count: number): Promise<Received[]> {
    const consumer = kafka.consumer({ groupId: uniqueName('sinks-test-group') });
    consumers.push(consumer);
    const received: Received[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [...sink.topicNames], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        received.push({
          topic,
          partition,
          key: String(message.key),
          value: message.value ?? Buffer.alloc(0),
        });
      },
    });
    return eventually(() => (received.length >= count ? received : undefined), {
      timeoutMs: 30_000,
      what: `${count} messages`,
    });
  }

  it('creates the per-type, alert and dead-letter topics if absent; again is harmless', async () => {
    expect(await sink.ensureTopics()).toEqual([
      `${run}.water_standpipe`,
      `${run}.piezometer`,
      `${run}.settlement_marker`,
      `${run}.extensometer`,
      `${run}.strain_gauge`,
      `${run}.alerts`,
      `${run}.dlq`,
    ]);
    expect(await sink.ensureTopics()).toEqual([]);
    const { topics } = await admin.fetchTopicMetadata({ topics: [...sink.topicNames] });
    expect(topics.map((t) => t.partitions.length)).toEqual(Array(7).fill(2));
  });

  it('writes windows, alerts and dead letters with the agreed keys and JSON values; a rewrite repeats the same bytes', async () => {
    await sink.ensureTopics();
    const piezo = windowRecord({ instrument: 'piezometer' });
    const marker = windowRecord({
      instrument: 'settlement_marker',
      reading_mean: -12.5,
      trigger_level: 'alert',
    });
    const alert = alertFor(marker, { direction: 'falling', threshold: -10 });
    const deadLetter = buildDeadLetter({
      source: { topic: 'monitoring', partition: 1, offset: '77', key: 'BH-1' },
      payload: '{"reading":',
      reason: 'not_json',
      message: 'Unexpected end of JSON input',
      deadLetteredAtMs: Date.UTC(2022, 4, 2),
    });
    expect(
      await sink.write({ windows: [piezo, marker], alerts: [alert], deadLetters: [deadLetter] }),
    ).toEqual({
      messages: 4,
    });
    // The same window again, its object built with keys in another order (as after a restore).
    const rebuilt = Object.fromEntries(Object.entries(piezo).reverse()) as typeof piezo;
    await sink.write({ windows: [rebuilt] });

    const received = await consume(5);
    const on = (topic: string) => received.filter((m) => m.topic === `${run}.${topic}`);
    expect(on('piezometer').map((m) => m.key)).toEqual([piezo.id, piezo.id]);
    const [once, again] = on('piezometer');
    expect(again?.value.equals(once?.value ?? Buffer.alloc(0))).toBe(true);
    expect(again?.partition).toBe(once?.partition);
    expect(JSON.parse(String(once?.value))).toEqual(piezo);

    expect(on('settlement_marker').map((m) => [m.key, JSON.parse(String(m.value))])).toEqual([
      [marker.id, marker],
    ]);
    expect(on('alerts').map((m) => [m.key, JSON.parse(String(m.value))])).toEqual([
      [alert.id, alert],
    ]);
    expect(on('dlq').map((m) => [m.key, JSON.parse(String(m.value))])).toEqual([
      ['monitoring:1:77', deadLetter],
    ]);
    expect(received).toHaveLength(5);
  });

  it('sends nothing (and connects to nothing) for an empty batch', async () => {
    expect(await sink.write({})).toEqual({ messages: 0 });
  });
});
