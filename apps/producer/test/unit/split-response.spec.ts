import { splitResponse, type PolledResponse } from '../../src/messages/split-response';

const reading = (id: string, extra: Record<string, unknown> = {}) => ({
  borehole_number: id,
  instrument: 'piezometer',
  surface_level: 82.33,
  northing: 5810968,
  easting: 322179,
  reading: 113.96,
  timestamp: '2022-04-15T22:06:38.737Z',
  ...extra,
});

function response(body: string | Buffer, overrides: Partial<PolledResponse> = {}): PolledResponse {
  return {
    target: 'piezometer',
    url: 'http://api.test/params/piezometer',
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    contentType: 'application/json; charset=utf-8',
    receivedAtMs: Date.UTC(2024, 0, 1, 12),
    ...overrides,
  };
}

const options = { producerId: 'producer-a', maxMessageBytes: 10_000 };

describe('splitResponse', () => {
  it('makes one message per item, keyed instrument:borehole_number, with the item bytes as received', () => {
    const items = [reading('BH-1'), reading('BH-2', { reading: 'ERR' })];
    const text = JSON.stringify({
      instruments: 2,
      units: 'pore pressure (kPa)',
      timezone: 'UTC',
      items,
    });
    const result = splitResponse(response(text), options);
    expect(result).toMatchObject({ items: 2, unparsed: false, truncated: false });
    expect(result.messages.map((m) => m.key)).toEqual(['piezometer:BH-1', 'piezometer:BH-2']);
    expect(result.messages.map((m) => m.value.toString())).toEqual(
      items.map((i) => JSON.stringify(i)),
    );
  });

  it('marks every reading with its source, ingest time and producer, and nothing more', () => {
    const text = JSON.stringify({
      instruments: 1,
      units: 'u',
      timezone: 'UTC',
      items: [reading('BH-1')],
    });
    const [message] = splitResponse(response(text), options).messages;
    expect(message?.headers).toEqual({
      source: 'http://api.test/params/piezometer',
      ingested_at: '2024-01-01T12:00:00.000Z',
      producer_id: 'producer-a',
    });
    const headerBytes = Object.entries(message?.headers ?? {}).reduce(
      (n, [k, v]) => n + k.length + v.length,
      0,
    );
    expect(message?.bytes).toBe(
      'piezometer:BH-1'.length + (message?.value.length ?? 0) + headerBytes,
    );
  });

  it('keeps non-ASCII bytes exactly', () => {
    const text =
      '{"items": [{"instrument":"strain_gauge","borehole_number":"BH-µ1","units":"µε"}]}';
    const [message] = splitResponse(response(text), options).messages;
    expect(message?.key).toBe('strain_gauge:BH-µ1');
    expect(
      message?.value.equals(
        Buffer.from('{"instrument":"strain_gauge","borehole_number":"BH-µ1","units":"µε"}'),
      ),
    ).toBe(true);
  });

  it('keys items without a usable identity by the polled target, to dead-letter downstream', () => {
    const text = JSON.stringify({ items: [reading(''), { reading: 1 }, null] });
    expect(splitResponse(response(text), options).messages.map((m) => m.key)).toEqual([
      'unkeyed:piezometer',
      'unkeyed:piezometer',
      'unkeyed:piezometer',
    ]);
  });

  it('splits every envelope of /params/all', () => {
    const text = JSON.stringify({
      instruments: 3,
      timezone: 'UTC',
      envelopes: {
        piezometer: { items: [reading('BH-1')] },
        strain_gauge: {
          items: [
            reading('BH-2', { instrument: 'strain_gauge' }),
            reading('BH-3', { instrument: 'strain_gauge' }),
          ],
        },
      },
    });
    const result = splitResponse(response(text, { target: 'all' }), options);
    expect(result.messages.map((m) => m.key)).toEqual([
      'piezometer:BH-1',
      'strain_gauge:BH-2',
      'strain_gauge:BH-3',
    ]);
  });

  it('forwards a body that is not an envelope whole, as one message, saying so', () => {
    const html = '<html><body>502 Bad Gateway</body></html>';
    const result = splitResponse(response(html, { contentType: 'text/html' }), options);
    expect(result).toMatchObject({ items: 0, unparsed: true, truncated: false });
    expect(result.messages).toHaveLength(1);
    const [message] = result.messages;
    expect(message?.key).toBe('unparsed:piezometer');
    expect(message?.value.toString()).toBe(html);
    expect(message?.headers).toMatchObject({
      payload: 'unparsed_response',
      content_type: 'text/html',
    });
  });

  it('forwards bytes that are not UTF-8 untouched', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const [message] = splitResponse(response(bytes, { contentType: undefined }), options).messages;
    expect(message?.value.equals(bytes)).toBe(true);
    expect(message?.headers['content_type']).toBe('');
  });

  it('forwards an empty body too: nothing fetched goes unrecorded', () => {
    const result = splitResponse(response(''), options);
    expect(result.unparsed).toBe(true);
    expect(result.messages[0]?.value.length).toBe(0);
  });

  it('cuts an unparsed body larger than Kafka accepts, recording its real size', () => {
    const big = 'x'.repeat(25_000);
    const result = splitResponse(response(big), { ...options, maxMessageBytes: 10_000 });
    expect(result.truncated).toBe(true);
    expect(result.messages[0]?.value.length).toBe(10_000);
    expect(result.messages[0]?.headers['original_bytes']).toBe('25000');
  });

  it('cuts an absurdly large item the same way', () => {
    const text = JSON.stringify({
      items: [reading('BH-1', { note: 'y'.repeat(20_000) }), reading('BH-2')],
    });
    const result = splitResponse(response(text), { ...options, maxMessageBytes: 10_000 });
    expect(result.truncated).toBe(true);
    expect(result.messages.map((m) => m.headers['original_bytes'])).toEqual([
      expect.any(String),
      undefined,
    ]);
  });
});
