import { judge, formatReport, type Comparison } from '../../src/verify-report';

const balanced = { readings: 10, counted: 7, duplicates: 1, deadLettered: 2, partitions: 2 };

function comparison(
  current: string[],
  candidate: string[],
  from = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
): Comparison {
  return {
    against: 'v1',
    coverage: {
      current: { instruments: current, from: from[0] ?? null, to: '2026-01-02T00:00:00.000Z' },
      candidate: { instruments: candidate, from: from[1] ?? null, to: '2026-01-02T00:00:00.000Z' },
    },
    windows: {
      sameBounds: 3,
      valueChanged: 1,
      levelChanged: 1,
      onlyInCurrent: 0,
      onlyInCandidate: 0,
    },
    levels: { current: {}, candidate: { alert: 1 } },
    alerts: {
      added: 1,
      removed: 0,
      addedExamples: ['level raise piezometer:P-1 none->alert'],
      removedExamples: [],
    },
  };
}

describe('judge', () => {
  it('passes a balanced version covering the same instruments', () => {
    const report = judge('v2', balanced, comparison(['a', 'b'], ['a', 'b']));
    expect(report).toMatchObject({ passed: true, problems: [], accounting: { balanced: true } });
  });

  it('fails when readings are not each counted, duplicate or dead-lettered exactly once', () => {
    const report = judge('v2', { ...balanced, counted: 6 }, null);
    expect(report.passed).toBe(false);
    expect(report.problems.join()).toMatch(/readings 10 != counted 6/);
  });

  it('fails a version that has processed nothing', () => {
    expect(
      judge(
        'v2',
        { ...balanced, readings: 0, counted: 0, duplicates: 0, deadLettered: 0, partitions: 0 },
        null,
      ).passed,
    ).toBe(false);
  });

  it('fails when an instrument of the current version has no window, naming it and why', () => {
    const report = judge('v2', balanced, comparison(['a', 'b'], ['a']));
    expect(report.passed).toBe(false);
    expect(report.problems.join()).toMatch(
      /1 instrument\(s\) of v1 have no window in v2: b .*retain/,
    );
  });

  it('notes, without failing, new instruments and a later start (retention)', () => {
    const report = judge(
      'v2',
      balanced,
      comparison(['a'], ['a', 'c'], ['2026-01-01T00:00:00.000Z', '2026-01-01T06:00:00.000Z']),
    );
    expect(report.passed).toBe(true);
    expect(report.notes.join('\n')).toMatch(/only in v2: c/);
    expect(report.notes.join('\n')).toMatch(/retention/);
  });

  it('reads as a report', () => {
    const text = formatReport(judge('v2', balanced, comparison(['a'], ['a'])));
    expect(text).toMatch(/^verify v2: PASSED/);
    expect(text).toMatch(/alerts: 1 added, 0 removed\n {4}\+ level raise/);
  });
});
