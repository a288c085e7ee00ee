import {
  KafkaJSConnectionError,
  KafkaJSProtocolError,
  type Kafka,
  type ProducerBatch,
} from 'kafkajs';
import { SinkRejectedError, SinkUnavailableError, createKafkaSink } from '../../src';
import { windowRecord } from '../support/records';

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);

/** A stand-in for a kafkajs producer: records its calls; sends fail while `failures` has some. */
class FakeProducer {
  connects = 0;
  disconnects = 0;
  readonly sent: ProducerBatch[] = [];
  constructor(private readonly failures: unknown[]) {}
  async connect() {
    this.connects++;
  }
  async disconnect() {
    this.disconnects++;
  }
  async sendBatch(batch: ProducerBatch) {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push(batch);
    return [];
  }
}

function sinkWith(failures: unknown[]) {
  const producers: FakeProducer[] = [];
  const admin = { connect: async () => undefined, disconnect: async () => undefined };
  const kafka = {
    producer: () => {
      const producer = new FakeProducer(failures);
      producers.push(producer);
      return producer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  const sink = createKafkaSink({ kafka, topics: { alerts: 'alerts', deadLetter: 'dlq' } });
  return { sink, producers };
}

const batch = { windows: [windowRecord()] };

describe('Kafka sink producer after a failed send', () => {
  it('is replaced after a non-retriable error: the old one is disconnected, the next write uses a new one', async () => {
    const { sink, producers } = sinkWith([protocolError('MESSAGE_TOO_LARGE', 10)]);
    await expect(sink.write(batch)).rejects.toBeInstanceOf(SinkRejectedError);
    expect(producers).toHaveLength(1);
    expect(producers[0]?.disconnects).toBe(1);

    expect(await sink.write(batch)).toEqual({ messages: 1 });
    expect(producers).toHaveLength(2);
    expect(producers[1]).toMatchObject({ connects: 1, disconnects: 0 });
    expect(producers[1]?.sent).toHaveLength(1);

    await sink.close();
    expect(producers.map((p) => p.disconnects)).toEqual([1, 1]);
  });

  it('is kept after a retriable error (the broker unreachable): its sequence numbers still hold', async () => {
    const { sink, producers } = sinkWith([new KafkaJSConnectionError('Connection error')]);
    await expect(sink.write(batch)).rejects.toBeInstanceOf(SinkUnavailableError);
    expect(await sink.write(batch)).toEqual({ messages: 1 });
    expect(producers).toHaveLength(1);
    expect(producers[0]).toMatchObject({ connects: 1, disconnects: 0 });
  });

  it('is made once for many writes, and not at all for empty ones', async () => {
    const { sink, producers } = sinkWith([]);
    await sink.write({});
    expect(producers).toHaveLength(0);
    await Promise.all([sink.write(batch), sink.write(batch), sink.write(batch)]);
    expect(producers).toHaveLength(1);
    expect(producers[0]).toMatchObject({ connects: 1 });
    expect(producers[0]?.sent).toHaveLength(3);
  });

  it('is replaced once when concurrent writes fail on it', async () => {
    const { sink, producers } = sinkWith([
      protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45),
      protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45),
    ]);
    const outcomes = await Promise.allSettled([sink.write(batch), sink.write(batch)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(producers).toHaveLength(1);
    expect(producers[0]?.disconnects).toBe(1);
    expect(await sink.write(batch)).toEqual({ messages: 1 });
    expect(producers).toHaveLength(2);
  });
});
