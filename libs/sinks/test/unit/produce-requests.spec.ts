import fc from 'fast-check';
import { createRequire } from 'node:module';
import type { Message, TopicMessages } from 'kafkajs';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  messageBytes,
  produceRequests,
} from '../../src/kafka/produce-requests';

// kafkajs' own record encoder (not part of its public API), to measure what a record really takes.
const encodeRecord = createRequire(__filename)(
  'kafkajs/src/protocol/recordBatch/record/v0',
) as (record: { offsetDelta: number; timestampDelta: number; key: Buffer; value: Buffer }) => {
  buffer: Buffer;
};

const message = (key: string, value: string): Message => ({ key, value });
const requestBytes = (request: TopicMessages[]) =>
  request.reduce((n, t) => n + t.messages.reduce((m, msg) => m + messageBytes(msg), 0), 0);

const topicMessagesArbitrary = fc.array(
  fc.record({
    topic: fc.constantFrom('piezometer', 'alerts', 'dlq'),
    messages: fc.array(
      fc.record({
        key: fc.string({ unit: 'grapheme', maxLength: 20 }),
        value: fc.string({ unit: 'grapheme', maxLength: 300 }),
      }),
      { maxLength: 20 },
    ),
  }),
  { maxLength: 6 },
);

describe('messageBytes', () => {
  it('is at least what kafkajs encodes for the record, with multi-byte characters counted as bytes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        fc.string({ unit: 'grapheme', maxLength: 2_000 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (key, value, offsetDelta, timestampDelta) => {
          const encoded = encodeRecord({
            offsetDelta,
            timestampDelta,
            key: Buffer.from(key),
            value: Buffer.from(value),
          }).buffer.length;
          expect(messageBytes(message(key, value))).toBeGreaterThanOrEqual(encoded);
        },
      ),
      { numRuns: 200 },
    );
    expect(messageBytes(message('k', 'é'))).toBe(messageBytes(message('k', 'ab')));
  });
});

describe('produceRequests', () => {
  it('keeps every topic’s messages, in order, with their keys, in requests under the limit', () => {
    fc.assert(
      fc.property(topicMessagesArbitrary, fc.integer({ min: 1, max: 5_000 }), (input, max) => {
        const requests = produceRequests(input, max);
        const sent = new Map<string, Message[]>();
        for (const request of requests) {
          expect(request.length).toBeGreaterThan(0);
          for (const { topic, messages } of request) {
            expect(messages.length).toBeGreaterThan(0);
            sent.set(topic, [...(sent.get(topic) ?? []), ...messages]);
          }
          const count = request.reduce((n, t) => n + t.messages.length, 0);
          expect(count === 1 || requestBytes(request) <= max).toBe(true);
        }
        const expected = new Map<string, Message[]>();
        for (const { topic, messages } of input)
          if (messages.length > 0)
            expected.set(topic, [...(expected.get(topic) ?? []), ...messages]);
        expect(sent).toEqual(expected);
        // Greedy: a request is cut only when the next message would not fit.
        for (let i = 0; i + 1 < requests.length; i++) {
          const next = requests[i + 1]?.[0]?.messages[0];
          expect(
            requestBytes(requests[i] ?? []) + messageBytes(next ?? message('', '')),
          ).toBeGreaterThan(max);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sends a message larger than the limit alone, between the others', () => {
    const small = message('a', 'x'.repeat(100));
    const large = message('b', 'y'.repeat(2_000));
    const requests = produceRequests(
      [
        { topic: 'piezometer', messages: [small, small] },
        { topic: 'dlq', messages: [large, small] },
      ],
      1_000,
    );
    expect(requests).toEqual([
      [{ topic: 'piezometer', messages: [small, small] }],
      [{ topic: 'dlq', messages: [large] }],
      [{ topic: 'dlq', messages: [small] }],
    ]);
  });

  it('puts a whole ordinary write in one request, and nothing in none', () => {
    const input = [
      { topic: 'piezometer', messages: [message('w1', '{}'), message('w2', '{}')] },
      { topic: 'alerts', messages: [message('a1', '{}')] },
    ];
    expect(produceRequests(input, DEFAULT_MAX_REQUEST_BYTES)).toEqual([input]);
    expect(produceRequests([], DEFAULT_MAX_REQUEST_BYTES)).toEqual([]);
    expect(produceRequests([{ topic: 'alerts', messages: [] }], DEFAULT_MAX_REQUEST_BYTES)).toEqual(
      [],
    );
  });
});
