import { createHash } from 'node:crypto';
import {
  boundDeadLetter,
  buildDeadLetter,
  DeadLetterSchema,
  decodeRawMessage,
  deadLetterForProblem,
} from '../../src';
import { compile } from '../ajv';

const deadLetterSchema = compile(DeadLetterSchema);
const source = {
  topic: 'instrument-readings',
  partition: 3,
  offset: '1234567890123',
  key: 'piezometer:P-1',
};

describe('dead letters', () => {
  const bad =
    '{"borehole_number":"P-2","instrument":"piezometer","surface_level":1,"northing":1,"easting":1,"reading":"12,5","timestamp":"2022-05-02T08:02:20Z"}';
  const message = new TextEncoder().encode(
    `{"instruments":1,"units":"pore pressure (kPa)","timezone":"UTC","items":[${bad}]}`,
  );
  const [problem] = decodeRawMessage(message).problems;

  it('carry one bad envelope item as its own bytes, with where it came from and why', () => {
    if (!problem) throw new Error('expected a problem');
    const letter = deadLetterForProblem({
      source,
      messageBytes: message,
      problem,
      deadLetteredAtMs: 1_700_000_000_000,
    });
    expect(letter).toMatchObject({
      schema_version: 1,
      id: 'instrument-readings:3:1234567890123:items[0]:wrong_type',
      source,
      reason: 'wrong_type',
      path: 'items[0].reading',
      item_index: 0,
      payload_utf8: bad,
      payload_bytes: bad.length,
      dead_lettered_at: '2023-11-14T22:13:20.000Z',
    });
    expect(Buffer.from(letter.payload_base64, 'base64').toString('utf8')).toBe(bad);
    expect(deadLetterSchema(letter)).toBe(true);
    // keys in sorted order at every depth: the sinks' canonical JSON writes it uncopied
    const inOrder = (value: object) =>
      expect(Object.keys(value)).toEqual(Object.keys(value).sort());
    [letter, letter.source, ...letter.problems].forEach(inOrder);
  });

  it('keep unprintable or non-UTF-8 bytes in base64 only', () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0x00, 0x7d]);
    const [notJson] = decodeRawMessage(bytes).problems;
    if (!notJson) throw new Error('expected a problem');
    const letter = deadLetterForProblem({
      source: { ...source, key: null },
      messageBytes: bytes,
      problem: notJson,
      deadLetteredAtMs: 0,
    });
    expect([letter.reason, letter.item_index, letter.payload_utf8, letter.payload_base64]).toEqual([
      'not_json',
      null,
      null,
      'e/8AfQ==',
    ]);
    expect(deadLetterSchema(letter)).toBe(true);
  });
});

describe('boundDeadLetter', () => {
  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const letterOf = (payload: string) =>
    buildDeadLetter({
      source,
      payload: new TextEncoder().encode(payload),
      reason: 'payload_too_large',
      message: 'the payload is too large',
      deadLetteredAtMs: 0,
    });
  const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

  it('keeps a dead letter that fits as it is (the same object)', () => {
    const letter = letterOf('{"reading":1}');
    expect(boundDeadLetter(letter, 65_536, sha256)).toBe(letter);
  });

  it('keeps the head of a payload too large for the topic, with its size and hash, under the limit', () => {
    const payload = `{"items":[${'"x",'.repeat(60_000)}1]}`;
    const letter = letterOf(payload);
    const bounded = boundDeadLetter(letter, 65_536, sha256);
    expect(jsonBytes(letter)).toBeGreaterThan(65_536);
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(65_536);
    const head = Buffer.from(bounded.payload_base64, 'base64').toString('utf8');
    expect(head.length).toBeGreaterThan(30_000);
    expect(payload.startsWith(head)).toBe(true);
    expect(bounded).toMatchObject({
      id: letter.id,
      source,
      reason: 'payload_too_large',
      payload_bytes: Buffer.byteLength(payload),
      payload_utf8: null,
      payload_truncated: true,
      payload_sha256: sha256(Buffer.from(payload)),
    });
    expect(bounded.message).toContain(`of ${Buffer.byteLength(payload)} bytes kept`);
    expect(deadLetterSchema(bounded)).toBe(true);
  });

  it('keeps at least the letter itself when even an empty payload would not fit', () => {
    const bounded = boundDeadLetter(letterOf('x'.repeat(10_000)), 100, sha256);
    expect(bounded.payload_base64).toBe('');
    expect(bounded.payload_truncated).toBe(true);
  });
});
