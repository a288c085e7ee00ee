import { decodeCursor, encodeCursor } from '../../src/history/cursor';
import { BadRequestError } from '../../src/errors';

const row = {
  id: 'piezometer:PZ-1:2026-01-01T00:00:00.000Z',
  instrument: 'piezometer',
  borehole_number: 'PZ-1',
  window_start: new Date('2026-01-01T00:00:00.000Z'),
};

describe('keyset cursors', () => {
  it('round-trip the sort key of a row, per sort', () => {
    const time = { key: 'time', direction: 'desc' } as const;
    expect(decodeCursor(encodeCursor(time, row), time)).toEqual([row.window_start, row.id]);
    const instrument = { key: 'instrument', direction: 'asc' } as const;
    expect(decodeCursor(encodeCursor(instrument, row), instrument)).toEqual([
      'piezometer',
      'PZ-1',
      row.window_start,
    ]);
  });

  it('refuse a cursor from another sort or direction', () => {
    const token = encodeCursor({ key: 'time', direction: 'desc' }, row);
    expect(() => decodeCursor(token, { key: 'time', direction: 'asc' })).toThrow(BadRequestError);
    expect(() => decodeCursor(token, { key: 'instrument', direction: 'desc' })).toThrow(
      /belongs to sort time desc/,
    );
  });

  it.each([
    ['garbage', 'not-base64-json!'],
    ['wrong shape', Buffer.from('{"s":"time","d":"desc","v":[1,2]}').toString('base64url')],
    [
      'bad time',
      Buffer.from('{"s":"time","d":"desc","v":["yesterday","x"]}').toString('base64url'),
    ],
    [
      'bad type',
      Buffer.from(
        '{"s":"instrument","d":"asc","v":["x","PZ-1","2026-01-01T00:00:00.000Z"]}',
      ).toString('base64url'),
    ],
  ])('refuse %s with invalid_cursor', (_name, token) => {
    const sort = token.startsWith('eyJzIjoiaW5zdHJ')
      ? ({ key: 'instrument', direction: 'asc' } as const)
      : ({ key: 'time', direction: 'desc' } as const);
    try {
      decodeCursor(token, sort);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).code).toBe('invalid_cursor');
    }
  });
});
