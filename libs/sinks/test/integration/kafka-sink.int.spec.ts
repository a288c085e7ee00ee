import { alarmPointKeyOf, buildDeadLetter } from '@geostream/instrument-schemas';
import { eventually, uniqueName } from '@geostream/platform/testing';
import { ConfigResourceTypes, type Admin, type Consumer, type Kafka } from 'kafkajs';
import {
  createKafkaSink,
  perTypeTopicNamer,
  type KafkaSink,
  type KafkaSinkOptions,
} from '../../src';
import { alertFor, windowRecord, windowRecords } from '../support/records';
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

  /** The test's sink, on its own topics; `options` change the defaults below. */
  function sinkOf(options: Partial<KafkaSinkOptions> = {}): KafkaSink {
    return createKafkaSink({
      kafka,
      topics: {
        perType: perTypeTopicNamer({ prefix: `${run}.` }),
        alerts: `${run}.alerts`,
        deadLetter: `${run}.dlq`,
      },
      partitions: 2,
      ...options,
    });
  }

  beforeEach(() => {
    run = uniqueName('sinks-test');
    sink = sinkOf();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
    await sink.close();
    const ours = (await admin.listTopics()).filter((topic) => topic.startsWith(`${run}.`));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  });

  afterAll(() => admin.disconnect());

  async function topicMaxMessageBytes(topic: string): Promise<string | undefined> {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
      ],
    });
    return described.resources[0]?.configEntries[0]?.configValue;
  }

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
      [alarmPointKeyOf(alert), alert],
    ]);
    expect(on('dlq').map((m) => [m.key, JSON.parse(String(m.value))])).toEqual([
      ['monitoring:1:77', deadLetter],
    ]);
    expect(received).toHaveLength(5);
  });

  it('splits a write over the broker limit into requests in order, and sends a dead letter larger than a request alone', async () => {
    // The dead-letter topic takes large messages (as the processor creates it); the others
    // keep the broker's default 1 MiB limit.
    await sink.close();
    sink = sinkOf({
      topicConfigs: { deadLetter: { 'max.message.bytes': String(4 * 1024 * 1024) } },
    });
    await sink.ensureTopics();
    expect(await topicMaxMessageBytes(`${run}.dlq`)).toBe(String(4 * 1024 * 1024));
    expect(await topicMaxMessageBytes(`${run}.piezometer`)).toBe('1048588');
    const windows = windowRecords(4_000, { instruments: 40 }); // over 2 MB, one topic
    const large = buildDeadLetter({
      source: { topic: 'monitoring', partition: 0, offset: '9', key: null },
      payload: 'z'.repeat(700_000), // twice in the dead letter: ~1.6 MB
      reason: 'payload_too_large',
      message: 'too large',
      deadLetteredAtMs: Date.UTC(2022, 4, 2),
    });
    expect(await sink.write({ windows, deadLetters: [large] })).toEqual({ messages: 4_001 });

    const received = await consume(4_001);
    expect(received).toHaveLength(4_001);
    const dlq = received.filter((m) => m.topic === `${run}.dlq`);
    expect(dlq.map((m) => m.key)).toEqual(['monitoring:0:9']);
    expect(JSON.parse(String(dlq[0]?.value))).toEqual(large);
    // Every window once, each partition in the order written.
    const windowMessages = received.filter((m) => m.topic === `${run}.piezometer`);
    expect(windowMessages.map((m) => m.key).sort()).toEqual(windows.map((w) => w.id).sort());
    const position = new Map(windows.map((w, i) => [w.id, i]));
    for (const partition of [0, 1]) {
      const order = windowMessages
        .filter((m) => m.partition === partition)
        .map((m) => position.get(m.key) ?? -1);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('after a request refused in part, later writes still arrive (a fresh producer)', async () => {
    // One partition, so every write lands where the refused request left its sequence
    // numbers; a dead-letter topic that takes only small messages.
    await sink.close();
    sink = sinkOf({
      partitions: 1,
      topicConfigs: { deadLetter: { 'max.message.bytes': '10000' } },
    });
    await sink.ensureTopics();
    const window = (startMs: number) => windowRecord({ instrument: 'piezometer', startMs });
    const first = window(Date.UTC(2022, 4, 2, 8, 0, 0));
    const tooLarge = buildDeadLetter({
      source: { topic: 'monitoring', partition: 0, offset: '1', key: null },
      payload: 'z'.repeat(20_000),
      reason: 'payload_too_large',
      message: 'too large',
      deadLetteredAtMs: Date.UTC(2022, 4, 2),
    });
    // The broker appends the window and refuses the dead letter: the write fails for good.
    await expect(sink.write({ windows: [first], deadLetters: [tooLarge] })).rejects.toMatchObject({
      code: 'SINK_REJECTED',
      details: { kafkaErrorType: 'MESSAGE_TOO_LARGE' },
    });
    const later = [window(Date.UTC(2022, 4, 2, 8, 0, 10)), window(Date.UTC(2022, 4, 2, 8, 0, 20))];
    for (const w of later) expect(await sink.write({ windows: [w] })).toEqual({ messages: 1 });

    const received = await consume(3);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing more arrives
    expect(received.map((m) => m.key)).toEqual([first.id, ...later.map((w) => w.id)]);
  });

  it('sends nothing (and connects to nothing) for an empty batch', async () => {
    expect(await sink.write({})).toEqual({ messages: 0 });
  });
});
