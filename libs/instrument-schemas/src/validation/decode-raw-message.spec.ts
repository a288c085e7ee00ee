import { decodeRawMessage } from './decode-raw-message';

const reading = (borehole: string, value: number | string) =>
  `{"borehole_number":"${borehole}","instrument":"piezometer","surface_level":79.45,` +
  `"northing":5815854,"easting":323112,"reading":${value},"timestamp":"2022-05-02T08:02:20.073Z"}`;
const bytes = (text: string) => new TextEncoder().encode(text);

describe('decodeRawMessage', () => {
  it('decodes a single reading from bytes', () => {
    const result = decodeRawMessage(bytes(reading('P-1', 120.5)));
    expect(result.problems).toEqual([]);
    expect(result.readings.map((r) => [r.borehole_number, r.reading])).toEqual([['P-1', 120.5]]);
  });

  it('keeps the good readings of an envelope and rejects each bad item with its own JSON', () => {
    const bad = reading('P-2', '"12,5"');
    const envelope = `{"instruments":3,"units":"pore pressure (kPa)","timezone":"UTC","items":[${reading('P-1', 1)}, ${bad},${reading('P-3', 3)}]}`;
    const result = decodeRawMessage(bytes(envelope));
    expect(result.readings.map((r) => r.borehole_number)).toEqual(['P-1', 'P-3']);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'wrong_type',
        path: 'items[1].reading',
        itemIndex: 1,
        itemJson: bad,
      }),
    ]);
  });

  it("says whether the message was an envelope and gives its items' original texts", () => {
    const single = decodeRawMessage(bytes(reading('P-1', 1)));
    expect(single.envelope).toBe(false);
    expect(single.itemText(0)).toBeUndefined();

    const first = `{ "borehole_number" : "P-1", "x": [1, {"y": "]"}] }`;
    const envelope = `\ufeff{"items":[${first} ,${reading('P-2', 2)}],"instruments":2}`;
    const result = decodeRawMessage(bytes(envelope));
    expect(result.envelope).toBe(true);
    expect(result.itemText(0)).toBe(first);
    expect(result.itemText(1)).toBe(reading('P-2', 2));
    expect(result.itemText(2)).toBeUndefined();

    const escapedKey = decodeRawMessage(`{"\\u0069tems":[${reading('P-1', 1)}]}`);
    expect(escapedKey.envelope).toBe(true);
    expect(escapedKey.itemText(0)).toBe(reading('P-1', 1));

    const notArray = decodeRawMessage('{"items":3}');
    expect(notArray.envelope).toBe(true);
    expect(notArray.itemText(0)).toBeUndefined();

    for (const rejected of ['{"items":', new Uint8Array([0xff])])
      expect(decodeRawMessage(rejected).envelope).toBe(false);
  });

  it('names a bare NaN token as a non-finite number instead of rejecting the text', () => {
    const result = decodeRawMessage(reading('P-1', 'NaN'));
    expect(result.problems.map((p) => [p.path, p.code])).toEqual([
      ['reading', 'non_finite_number'],
    ]);
  });

  it('rejects text that is not JSON', () => {
    expect(decodeRawMessage('{"instrument":').problems.map((p) => p.code)).toEqual(['not_json']);
  });

  it('rejects bytes that are not UTF-8 as not JSON', () => {
    expect(
      decodeRawMessage(new Uint8Array([0x7b, 0xff, 0x7d])).problems.map((p) => p.code),
    ).toEqual(['not_json']);
  });

  it('rejects a payload over maxBytes without parsing it', () => {
    const result = decodeRawMessage(bytes(reading('P-1', 1)), { maxBytes: 50 });
    expect(result.problems.map((p) => p.code)).toEqual(['payload_too_large']);
  });

  it('rejects a whole envelope whose own fields are bad', () => {
    const result = decodeRawMessage(
      `{"instruments":1,"units":"","timezone":"UTC","items":[${reading('P-1', 1)}]}`,
    );
    expect(result.readings).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'empty_string', path: 'units' }),
    ]);
    expect(result.problems[0]?.itemIndex).toBeUndefined();
  });
});
