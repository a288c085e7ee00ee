import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';

/**
 * patches/kafkajs+2.2.4.patch, applied by `npm ci` (postinstall: patch-package): kafkajs' request
 * queue armed a timer with a negative delay whenever nothing was pending, which Node 24 reports
 * as a TimeoutNegativeWarning on every client's first request (and every Node ran as a 1 ms loop
 * for the connection's life). Its producer grouped messages per partition in O(n^2), zeroed a
 * fresh buffer per record, built every varint as an array and a Buffer, every timestamp delta
 * with Longs and every header as an encoder of its own, checksummed a byte at a time, and, retrying a send after a broker died, skipped the partitions a
 * surviving broker had taken over (lost, yet reported sent) and sent again, with new sequence
 * numbers, what a request still in flight to a surviving broker got acknowledged (duplicated). Its consumer parsed two decimal
 * strings into Longs for every record fetched and copied the headers object per header. These
 * fail if the patch is not applied.
 */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueueLike;

const RequestQueue = createRequire(require.resolve('kafkajs'))(
  './src/network/requestQueue',
) as RequestQueueClass;

const silentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue(): RequestQueueLike {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silentLogger,
  });
}

describe('kafkajs request queue (patched)', () => {
  // A stand-in setTimeout that arms nothing: unpatched, the queue would loop every 1 ms for ever.
  const spyOnSetTimeout = () =>
    jest
      .spyOn(global, 'setTimeout')
      .mockImplementation((() => ({ unref: () => undefined })) as unknown as typeof setTimeout);
  afterEach(() => jest.restoreAllMocks());

  it('arms no timer when nothing is pending, so no negative delay reaches setTimeout', () => {
    const setTimeoutSpy = spyOnSetTimeout();
    const q = queue();
    q.checkPendingRequests(); // what every fulfilled request does
    q.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check for a request waiting behind a throttle, with a positive delay', () => {
    const setTimeoutSpy = spyOnSetTimeout();
    const q = queue();
    q.throttledUntil = Date.now() + 5_000;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(setTimeoutSpy.mock.calls[0]?.[1]).toBeGreaterThan(0);
  });
});

describe('kafkajs producer encoding (patched)', () => {
  const load = createRequire(require.resolve('kafkajs'));
  type Grouper = (args: {
    topic: string;
    partitionMetadata: unknown[];
    messages: Array<{ key: string }>;
    partitioner: (args: { message: { key: string } }) => number;
  }) => Record<number, Array<{ key: string }>>;
  const groupMessagesPerPartition = load('./src/producer/groupMessagesPerPartition') as Grouper;

  it('groups messages per partition in their order, pushing instead of copying (the patch is applied)', () => {
    const messages = Array.from({ length: 6_000 }, (_, i) => ({ key: `k${i}` }));
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{}, {}, {}],
      messages,
      partitioner: ({ message }) => Number(message.key.slice(1)) % 3,
    });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2']);
    expect(grouped[1]?.slice(0, 3).map((m) => m.key)).toEqual(['k1', 'k4', 'k7']);
    expect(grouped[2]?.length).toBe(2_000);
    // Unpatched, every message copied its partition's array: O(n^2) for a request of n messages
    // (upstream tulios/kafkajs#1576). Its speed belongs to the benchmarks; here, that it is in.
    const source = readFileSync(load.resolve('./src/producer/groupMessagesPerPartition'), 'utf8');
    expect(source).toContain('geostream patch');
    expect(source).not.toContain('[...current, message]');
  });

  it('encodes only what was written, whatever the pooled memory held before', () => {
    const Encoder = load('./src/protocol/encoder') as new () => {
      writeInt32(v: number): unknown;
      writeVarIntBytes(v: string): unknown;
      buffer: Buffer;
    };
    Buffer.allocUnsafe(4096).fill(0xee); // dirty the pool
    const encoder = new Encoder();
    encoder.writeInt32(7);
    encoder.writeVarIntBytes('abc');
    expect([...encoder.buffer]).toEqual([0, 0, 0, 7, 6, 0x61, 0x62, 0x63]);
  });

  /** Kafka's varint and varlong (zigzag, then 7 bits a byte), from the protocol, not kafkajs. */
  const varlong = (value: bigint): number[] => {
    let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    const bytes: number[] = [];
    while (zigzag >= 0x80n) {
      bytes.push(Number(zigzag & 0x7fn) | 0x80);
      zigzag >>= 7n;
    }
    return [...bytes, Number(zigzag)];
  };
  const sized = (bytes: Buffer | null): number[] =>
    bytes === null ? varlong(-1n) : [...varlong(BigInt(bytes.length)), ...bytes];

  it('writes every record byte for byte as the protocol says (varints in place, headers in place)', () => {
    type LongLike = object;
    const Long = load('./src/utils/long') as { fromValue(v: string): LongLike };
    const encodeRecord = load('./src/protocol/recordBatch/record/v0') as (record: {
      offsetDelta: number;
      timestampDelta: number | LongLike;
      key: Buffer | string | null;
      value: Buffer | string | null;
      headers: Record<string, string | Buffer | Array<string | Buffer>>;
    }) => { buffer: Buffer };
    const bytesOf = (v: Buffer | string) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8'));
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const bytesOrText = fc.oneof(
      text,
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.oneof(
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          fc.constantFrom(
            -(2 ** 30) - 1,
            -(2 ** 30),
            2 ** 30 - 1,
            2 ** 30,
            2 ** 31,
            -(2 ** 31) - 1,
          ),
          fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
        ),
        fc.option(bytesOrText),
        fc.option(bytesOrText, { freq: 8 }),
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.oneof(bytesOrText, fc.array(bytesOrText, { maxLength: 3 })),
          { maxKeys: 4 },
        ),
        (offsetDelta, timestampDelta, key, value, headers) => {
          const encoded = encodeRecord({
            offsetDelta,
            timestampDelta:
              typeof timestampDelta === 'bigint'
                ? Long.fromValue(String(timestampDelta))
                : timestampDelta,
            key,
            value,
            headers,
          }).buffer;
          const pairs = Object.entries(headers).flatMap(([k, v]) =>
            (Array.isArray(v) ? v : [v]).map((one) => [k, one] as const),
          );
          const body = [
            0,
            ...varlong(BigInt(timestampDelta)),
            ...varlong(BigInt(offsetDelta)),
            ...sized(key === null ? null : bytesOf(key)),
            ...sized(value === null ? null : bytesOf(value)),
            ...varlong(BigInt(pairs.length)),
            ...pairs.flatMap(([k, v]) => [...sized(bytesOf(k)), ...sized(bytesOf(v))]),
          ];
          expect([...encoded]).toEqual([...varlong(BigInt(body.length)), ...body]);
        },
      ),
      { numRuns: 500 },
    );
    // The bytes were right before the patch too; that it is in belongs here, its speed to the
    // producer benchmark.
    const source = (module: string) => readFileSync(load.resolve(module), 'utf8');
    expect(source('./src/protocol/recordBatch/record/v0')).not.toContain('map(Header)');
    expect(source('./src/protocol/encoder')).toContain('static isSmallInteger');
  });

  interface EncoderLike {
    writeInt8(v: number): EncoderLike;
    writeInt32(v: number): EncoderLike;
    writeString(v: string): EncoderLike;
    writeEncoder(v: EncoderLike): EncoderLike;
    writeEncoderArray(v: EncoderLike[]): EncoderLike;
    size(): number;
    readonly buffer: Buffer;
    readonly buffers: Buffer[];
  }

  it('writes an encoder into another by reference when large, with the same bytes as copying', () => {
    const Encoder = load('./src/protocol/encoder') as new (initialSize?: number) => EncoderLike;
    // An encoder tree as requests are built (a record batch in a partition, in a topic, in a
    // request, in its frame), against the bytes written flat into one array.
    type Part = { int: number } | { text: string } | { children: Part[][] };
    const part: fc.Memo<Part[]> = fc.memo((depth) =>
      fc.array(
        fc.oneof(
          fc.record({ int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
          fc.record({ text: fc.string({ maxLength: 3_000 }) }),
          fc.record({
            children: fc.array(depth <= 1 ? fc.constant<Part[]>([]) : part(depth - 1), {
              maxLength: 3,
            }),
          }),
        ),
        { maxLength: 6 },
      ),
    );
    const encode = (parts: Part[], encoder: EncoderLike, flat: number[]): EncoderLike => {
      for (const p of parts) {
        if ('int' in p) {
          encoder.writeInt32(p.int);
          const bytes = Buffer.alloc(4);
          bytes.writeInt32BE(p.int);
          flat.push(...bytes);
        } else if ('text' in p) {
          encoder.writeString(p.text);
          const bytes = Buffer.from(p.text, 'utf8');
          flat.push(bytes.length >> 8, bytes.length & 0xff, ...bytes);
        } else {
          encoder.writeEncoderArray(p.children.map((child) => encode(child, new Encoder(), flat)));
        }
      }
      return encoder;
    };
    fc.assert(
      fc.property(part(4), fc.nat(64), (parts, initialSize) => {
        const flat: number[] = [];
        const encoder = encode(parts, new Encoder(initialSize), flat);
        encoder.writeInt8(7); // a write after the shared ones, into the segment after them
        flat.push(7);
        expect(encoder.size()).toBe(flat.length);
        expect([...Buffer.concat(encoder.buffers)]).toEqual(flat);
        expect([...encoder.buffer]).toEqual(flat); // joined once, then kept joined
        expect(encoder.buffers).toHaveLength(1);
        expect(encoder.size()).toBe(flat.length);
      }),
      { numRuns: 300 },
    );
  });

  it('hands a produce request to the socket with its record batch held by reference, not copied', async () => {
    const Encoder = load('./src/protocol/encoder') as new (initialSize?: number) => EncoderLike;
    const encodeRecord = load('./src/protocol/recordBatch/record/v0') as (r: object) => unknown;
    const { RecordBatch } = load('./src/protocol/recordBatch/v0') as {
      RecordBatch: (batch: { records: unknown[] }) => Promise<EncoderLike>;
    };
    const frame = load('./src/protocol/request') as (args: object) => Promise<EncoderLike>;
    const records = Array.from({ length: 40 }, (_, i) =>
      encodeRecord({ offsetDelta: i, key: `k${i}`, value: 'v'.repeat(200) }),
    );
    const batch = await RecordBatch({ records });
    const [batchBytes] = batch.buffers;
    const framed = await frame({
      correlationId: 1,
      clientId: 'c',
      request: {
        apiKey: 0,
        apiVersion: 3,
        encode: async () => new Encoder().writeString('topic').writeEncoder(batch),
      },
    });
    // the batch's memory itself is one of the buffers written to the socket
    expect(framed.buffers.some((b) => b.buffer === batchBytes?.buffer)).toBe(true);
    const joined = Buffer.concat(framed.buffers);
    expect(joined.readInt32BE(0)).toBe(framed.size() - 4);
    expect(joined.subarray(joined.length - batch.size()).equals(batch.buffer)).toBe(true);
    const source = readFileSync(load.resolve('./src/network/connection'), 'utf8');
    expect(source).toContain('requestPayload.buffers');
  });

  it('checksums a record batch with CRC-32C, eight bytes a step, as a bit at a time does', () => {
    const crc32C = load('./src/protocol/recordBatch/crc32C') as (buffer: Buffer) => number;
    // Castagnoli, reflected, one bit at a time: the definition, not a table.
    const bitwise = (bytes: Uint8Array): number => {
      let crc = ~0;
      for (const byte of bytes) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
      }
      return ~crc >>> 0;
    };
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.nat(7), (bytes, skip) => {
        // Also from an odd start within a larger buffer, as a record batch is.
        const buffer = Buffer.from(bytes).subarray(Math.min(skip, bytes.length));
        expect(crc32C(buffer)).toBe(bitwise(buffer));
      }),
      { numRuns: 300 },
    );
    const source = readFileSync(
      load.resolve('./src/protocol/recordBatch/crc32C/crc32C.js'),
      'utf8',
    );
    expect(source).toContain('slicing-by-8');
  });
});

describe('kafkajs producer retry after a failover (patched)', () => {
  const load = createRequire(require.resolve('kafkajs'));
  const createSendMessages = load('./src/producer/sendMessages') as (
    deps: unknown,
  ) => (args: {
    acks: number;
    timeout: number;
    topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string }> }>;
  }) => Promise<Array<{ topicName: string; partition: number }>>;
  const createRetry = load('./src/retry') as (opts: unknown) => unknown;

  it('sends the partitions a surviving broker took over, even though it had answered for its own', async () => {
    // Partitions 0 and 1 on broker 1, partition 2 on broker 2. Broker 2 dies during the first
    // attempt; the metadata refreshed for the retry puts partition 2 on broker 1.
    let leaders: Record<number, number[]> = { 1: [0, 1], 2: [2] };
    const produced: number[] = [];
    const broker = (nodeId: number) => ({
      nodeId,
      produce: async ({
        topicData,
      }: {
        topicData: Array<{
          topicName?: string;
          topic: string;
          partitions: Array<{ partition: number }>;
        }>;
      }) => {
        if (nodeId === 2) {
          const error = new Error('Connection error: connect ECONNREFUSED');
          error.name = 'KafkaJSConnectionError';
          throw error;
        }
        const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
        produced.push(...partitions);
        return {
          topics: topicData.map((t) => ({
            topicName: t.topic,
            partitions: t.partitions.map((p) => ({
              partition: p.partition,
              errorCode: 0,
              baseOffset: '0',
            })),
          })),
        };
      },
    });
    const brokers = new Map([1, 2].map((id) => [id, broker(id)]));
    const cluster = {
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => {
        leaders = { 1: [0, 1, 2] };
      },
      addMultipleTargetTopics: async () => undefined,
      isConnected: () => true,
      removeBroker: () => undefined,
      findTopicPartitionMetadata: () => [
        { partitionId: 0 },
        { partitionId: 1 },
        { partitionId: 2 },
      ],
      findLeaderForPartitions: (_topic: string, partitions: Array<string | number>) => {
        const wanted = new Set(partitions.map(Number));
        return Object.fromEntries(
          Object.entries(leaders)
            .map(([id, ps]) => [id, ps.filter((p) => wanted.has(p))] as const)
            .filter(([, ps]) => ps.length > 0),
        );
      },
      findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
    };
    const eosManager = {
      acquireBrokerLock: async () => undefined,
      releaseBrokerLock: async () => undefined,
      isTransactional: () => false,
      getSequence: () => 0,
      updateSequence: () => undefined,
      getProducerId: () => -1,
      getProducerEpoch: () => 0,
      getTransactionalId: () => undefined,
    };
    const sendMessages = createSendMessages({
      logger: silentLogger,
      cluster,
      partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
      eosManager,
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 2 }),
    });
    const responses = await sendMessages({
      acks: -1,
      timeout: 1_000,
      topicMessages: [
        {
          topic: 't',
          messages: [0, 1, 2].map((p) => ({ key: String(p), value: `v${p}` })),
        },
      ],
    });
    // Unpatched, the retry skipped broker 1 (it had a response), partition 2 was never sent, and
    // the send reported success for partitions 0 and 1 alone (tulios/kafkajs#1303).
    expect(produced.sort()).toEqual([0, 1, 2]);
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });

  it('does not send again, with the next sequence numbers, what a request still in flight to a surviving broker got acknowledged', async () => {
    // Partitions 0 and 1 on broker 1, which answers slowly (acks=all waits while the dead
    // node is still in the in-sync replicas); partition 2 on broker 2, which is dead. The retry
    // begins while broker 1's request is in flight and waits for its lock.
    let leaders: Record<number, number[]> = { 1: [0, 1], 2: [2] };
    const produced: Array<{ partition: number; firstSequence: number }> = [];
    const broker = (nodeId: number) => ({
      nodeId,
      produce: async ({
        topicData,
      }: {
        topicData: Array<{
          topic: string;
          partitions: Array<{ partition: number; firstSequence: number }>;
        }>;
      }) => {
        if (nodeId === 2) {
          const error = new Error('Connection error: connect ECONNREFUSED');
          error.name = 'KafkaJSConnectionError';
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const t of topicData)
          for (const p of t.partitions)
            produced.push({ partition: Number(p.partition), firstSequence: p.firstSequence });
        return {
          topics: topicData.map((t) => ({
            topicName: t.topic,
            partitions: t.partitions.map((p) => ({
              partition: p.partition,
              errorCode: 0,
              baseOffset: '0',
            })),
          })),
        };
      },
    });
    const brokers = new Map([1, 2].map((id) => [id, broker(id)]));
    const cluster = {
      refreshMetadataIfNecessary: async () => undefined,
      refreshMetadata: async () => {
        leaders = { 1: [0, 1, 2] };
      },
      addMultipleTargetTopics: async () => undefined,
      isConnected: () => true,
      removeBroker: () => undefined,
      findTopicPartitionMetadata: () => [
        { partitionId: 0 },
        { partitionId: 1 },
        { partitionId: 2 },
      ],
      findLeaderForPartitions: (_topic: string, partitions: Array<string | number>) => {
        const wanted = new Set(partitions.map(Number));
        return Object.fromEntries(
          Object.entries(leaders)
            .map(([id, ps]) => [id, ps.filter((p) => wanted.has(p))] as const)
            .filter(([, ps]) => ps.length > 0),
        );
      },
      findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
    };
    // As kafkajs' own: one request at a time per broker, sequence numbers per partition.
    const locks = new Map<number, Promise<void>>();
    const unlocks = new Map<number, () => void>();
    const sequences = new Map<string, number>();
    const eosManager = {
      acquireBrokerLock: async ({ nodeId }: { nodeId: number }) => {
        while (locks.has(nodeId)) await locks.get(nodeId);
        locks.set(nodeId, new Promise<void>((resolve) => unlocks.set(nodeId, resolve)));
      },
      releaseBrokerLock: ({ nodeId }: { nodeId: number }) => {
        locks.delete(nodeId);
        unlocks.get(nodeId)?.();
      },
      isTransactional: () => false,
      getSequence: (topic: string, partition: number) =>
        sequences.get(`${topic}:${Number(partition)}`) ?? 0,
      updateSequence: (topic: string, partition: number, increment: number) => {
        const key = `${topic}:${Number(partition)}`;
        sequences.set(key, (sequences.get(key) ?? 0) + increment);
      },
      getProducerId: () => 7,
      getProducerEpoch: () => 0,
      getTransactionalId: () => undefined,
    };
    const sendMessages = createSendMessages({
      logger: silentLogger,
      cluster,
      partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
      eosManager,
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 2 }),
    });
    const responses = await sendMessages({
      acks: -1,
      timeout: 1_000,
      topicMessages: [
        {
          topic: 't',
          messages: [0, 1, 2].map((p) => ({ key: String(p), value: `v${p}` })),
        },
      ],
    });
    // Unpatched, the retry also sent partitions 0 and 1 again once the lock was free, as
    // sequence 1: the broker appended them twice (the producer's broker-loss test saw 272
    // duplicate readings on the raw topic).
    expect(produced.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, firstSequence: 0 },
      { partition: 1, firstSequence: 0 },
      { partition: 2, firstSequence: 0 },
    ]);
    expect(responses.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
  });
});

describe('kafkajs fetch decoding (patched)', () => {
  const load = createRequire(require.resolve('kafkajs'));
  type LongLike = { add(v: unknown): LongLike; toString(): string };
  const Long = load('./src/utils/long') as { fromValue(v: unknown): LongLike };
  interface RecordIn {
    offsetDelta: number;
    timestampDelta: number | LongLike;
    key: string;
    value: string;
    headers?: Record<string, string | string[]>;
  }
  const { RecordBatch } = load('./src/protocol/recordBatch/v0') as {
    RecordBatch: (batch: {
      firstOffset: LongLike;
      firstTimestamp: LongLike;
      maxTimestamp: LongLike;
      records: unknown[];
    }) => Promise<{ buffer: Buffer }>;
  };
  const encodeRecord = load('./src/protocol/recordBatch/record/v0') as (r: RecordIn) => unknown;
  const Decoder = load('./src/protocol/decoder') as new (buffer: Buffer) => unknown;
  const decodeBatch = load('./src/protocol/recordBatch/v0/decoder') as (
    decoder: unknown,
  ) => Promise<{
    records: Array<{
      offset: string;
      timestamp: string;
      key: Buffer;
      value: Buffer;
      headers: Record<string, unknown>;
    }>;
  }>;

  async function roundTrip(firstOffset: string, firstTimestamp: string, records: RecordIn[]) {
    const { buffer } = await RecordBatch({
      firstOffset: Long.fromValue(firstOffset),
      firstTimestamp: Long.fromValue(firstTimestamp),
      maxTimestamp: Long.fromValue(firstTimestamp),
      records: records.map(encodeRecord),
    });
    return (await decodeBatch(new Decoder(buffer))).records;
  }

  const int64 = fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n });

  it('gives every record the offset and timestamp the Long arithmetic gives, exact or not as a double', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.bigInt({ min: 0n, max: 2n ** 53n }),
          fc.bigInt({ min: 0n, max: 2n ** 63n - 2n ** 40n }),
        ),
        fc.oneof(fc.bigInt({ min: -1n, max: 2n ** 42n }), int64),
        fc.array(
          fc.record({
            offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
            timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 48), max: 2 ** 48 }), int64),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        async (firstOffset, firstTimestamp, deltas) => {
          const records = deltas.map(({ offsetDelta, timestampDelta }) => ({
            offsetDelta,
            timestampDelta:
              typeof timestampDelta === 'bigint'
                ? Long.fromValue(String(timestampDelta))
                : timestampDelta,
            key: 'k',
            value: 'v',
          }));
          const decoded = await roundTrip(String(firstOffset), String(firstTimestamp), records);
          expect(decoded.map((r) => [r.offset, r.timestamp])).toEqual(
            deltas.map(({ offsetDelta, timestampDelta }) => [
              String(firstOffset + BigInt(offsetDelta)),
              String(firstTimestamp + BigInt(timestampDelta)),
            ]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads each record in place: keys, values and repeated or odd header names as before', async () => {
    const headers = JSON.parse(
      '{"reading-count":"3","type":["a","b"],"__proto__":"p","toString":"t"}',
    ) as Record<string, string | string[]>;
    const [first, second] = await roundTrip('41', '1704067200000', [
      { offsetDelta: 0, timestampDelta: 0, key: 'piezometer:PZ-1', value: '{"v":1}', headers },
      { offsetDelta: 1, timestampDelta: -5, key: 'k2', value: 'x'.repeat(300) },
    ]);
    expect([first?.offset, first?.timestamp, String(first?.key), String(first?.value)]).toEqual([
      '41',
      '1704067200000',
      'piezometer:PZ-1',
      '{"v":1}',
    ]);
    const decodedHeaders = first?.headers ?? {};
    expect(Object.getPrototypeOf(decodedHeaders)).toBe(Object.prototype);
    expect(Object.keys(decodedHeaders)).toEqual(['reading-count', 'type', '__proto__', 'toString']);
    expect(String(decodedHeaders['reading-count'])).toBe('3');
    expect((decodedHeaders['type'] as Buffer[]).map(String)).toEqual(['a', 'b']);
    expect(String(Object.getOwnPropertyDescriptor(decodedHeaders, '__proto__')?.value)).toBe('p');
    expect(String(decodedHeaders['toString'])).toBe('t');
    expect([second?.offset, second?.timestamp, String(second?.value).length]).toEqual([
      '42',
      '1704067199995',
      300,
    ]);
  });
});
