import {
  formatCursor,
  headPosition,
  parseCursor,
  readLog,
  type LogPosition,
} from '../../src/simulation/history';

const settings = { scanIntervalMs: 10, historyMs: 50 };
/** Scan t holds three items, named after it: "t/0", "t/1", "t/2". */
const scan = (scanMs: number): string[] => [0, 1, 2].map((i) => `${scanMs}/${i}`);

function readAll(from: LogPosition, nowMs: number, limit: number): string[] {
  const items: string[] = [];
  let position = from;
  for (;;) {
    const page = readLog(position, nowMs, limit, settings, scan);
    items.push(...page.items);
    position = page.next;
    if (!page.more) return items;
  }
}

describe('the log after a cursor', () => {
  it('answers the scans after the cursor, oldest first, and where to go on', () => {
    const page = readLog({ scanMs: 100, offset: 1 }, 125, 100, settings, scan);
    expect(page.items).toEqual([
      '100/1',
      '100/2',
      '110/0',
      '110/1',
      '110/2',
      '120/0',
      '120/1',
      '120/2',
    ]);
    expect(page.next).toEqual({ scanMs: 130, offset: 0 });
    expect(page.more).toBe(false);
    expect(page.gapMs).toBe(0);
  });

  it('pages of any size add up to the same log, with nothing repeated or skipped', () => {
    const whole = readLog({ scanMs: 100, offset: 0 }, 139, 1_000, settings, scan).items;
    expect(whole).toHaveLength(12);
    for (const limit of [1, 2, 3, 4, 5, 7, 12]) {
      expect(readAll({ scanMs: 100, offset: 0 }, 139, limit)).toEqual(whole);
    }
    const cut = readLog({ scanMs: 100, offset: 0 }, 139, 4, settings, scan);
    expect(cut.more).toBe(true);
    expect(cut.next).toEqual({ scanMs: 110, offset: 1 });
  });

  it('resumes at the oldest scan kept, and says how much is lost, for a cursor older than the history', () => {
    // At 200 the log keeps five scans: 160 to 200.
    const page = readLog({ scanMs: 120, offset: 2 }, 200, 1_000, settings, scan);
    expect(page.gapMs).toBe(40);
    expect(page.items[0]).toBe('160/0');
    expect(page.items).toHaveLength(15);
  });

  it('answers nothing, and the same cursor, when nothing new was recorded', () => {
    const head = headPosition(120, settings, 10);
    expect(head).toEqual({ scanMs: 130, offset: 0 });
    const page = readLog(head, 129, 100, settings, scan);
    expect(page.items).toEqual([]);
    expect(page.next).toEqual(head);
    expect(readLog(head, 130, 100, settings, scan).items).toEqual(['130/0', '130/1', '130/2']);
  });

  it('starts a new client at the first scan whose readings are all taken after now', () => {
    // Scan 130 logs readings taken in (120, 130]: one of them could be the reading at 125 just
    // served without a cursor. Scan 140 takes its readings in (130, 140].
    expect(headPosition(125, settings, 10)).toEqual({ scanMs: 140, offset: 0 });
    expect(headPosition(130, settings, 10)).toEqual({ scanMs: 140, offset: 0 });
    // A span shorter than the interval: scan 130 takes (126, 130], after 125.
    expect(headPosition(125, settings, 4)).toEqual({ scanMs: 130, offset: 0 });
  });

  it('writes cursors that read back, and refuses anything else', () => {
    expect(parseCursor(formatCursor({ scanMs: 1_764_000_000_000, offset: 17 }))).toEqual({
      scanMs: 1_764_000_000_000,
      offset: 17,
    });
    for (const bad of ['', 'abc', '12', '1.2.3', '-5.0', '1e3.0', `${'9'.repeat(17)}.0`]) {
      expect(parseCursor(bad)).toBeUndefined();
    }
  });
});
