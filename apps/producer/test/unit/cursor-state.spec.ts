import { cursorRecord, restoreCursors } from '../../src/state/cursor-state';

describe('cursor state records', () => {
  it('restores the latest cursor of each target, ignoring other producers and foreign records', () => {
    const saved = (cursor: string) => ({ cursor, source: 'http://api/params/piezometer' });
    const records = [
      cursorRecord('p1', 'piezometer', saved('1.0')),
      cursorRecord('p2', 'piezometer', saved('9.0')),
      cursorRecord('p1', 'extensometer', saved('2.0')),
      cursorRecord('p1', 'piezometer', saved('3.5')),
      { key: 'p1:piezometer', value: Buffer.from('not json') },
      { key: 'p1:strain_gauge', value: Buffer.from('{"cursor": 4}') },
    ];
    const restored = restoreCursors('p1', ['piezometer', 'strain_gauge'], records);
    expect([...restored]).toEqual([['piezometer', saved('3.5')]]);
  });
});
