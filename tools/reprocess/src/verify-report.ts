/** Pure: judges a version from the facts the verify queries gathered, and says why. */

export interface AccountingTotals {
  readonly readings: number;
  readonly counted: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  /** Partitions with a checkpoint (0: the version has written nothing yet). */
  readonly partitions: number;
}

export interface Coverage {
  /** `type:id` of every instrument with a window. */
  readonly instruments: readonly string[];
  /** Earliest and latest reading time in any window (ISO), independent of window size. */
  readonly from: string | null;
  readonly to: string | null;
}

export interface WindowChanges {
  /** Windows with the same instrument, start and end in both versions. */
  readonly sameBounds: number;
  readonly valueChanged: number;
  readonly levelChanged: number;
  readonly onlyInCurrent: number;
  readonly onlyInCandidate: number;
}

export interface AlertChanges {
  readonly added: number;
  readonly removed: number;
  /** A few, to read: `condition kind instrument:id from->to at window start`. */
  readonly addedExamples: readonly string[];
  readonly removedExamples: readonly string[];
}

export interface Comparison {
  readonly against: string;
  readonly coverage: { readonly current: Coverage; readonly candidate: Coverage };
  readonly windows: WindowChanges;
  /** Windows at each trigger level (none excluded), per version. */
  readonly levels: {
    readonly current: Record<string, number>;
    readonly candidate: Record<string, number>;
  };
  readonly alerts: AlertChanges;
}

export interface VerificationReport {
  readonly version: string;
  readonly accounting: AccountingTotals & { readonly balanced: boolean };
  readonly comparison: Comparison | null;
  /** Why the version may not be switched to; empty when it passed. */
  readonly problems: readonly string[];
  /** Differences worth reading that do not stop a switch. */
  readonly notes: readonly string[];
  readonly passed: boolean;
}

export function judge(
  version: string,
  accounting: AccountingTotals,
  comparison: Comparison | null,
): VerificationReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const balanced =
    accounting.readings === accounting.counted + accounting.duplicates + accounting.deadLettered;
  if (accounting.partitions === 0)
    problems.push('no checkpoint: the version has processed nothing');
  if (!balanced)
    problems.push(
      `accounting does not balance: readings ${accounting.readings} != counted ${accounting.counted}` +
        ` + duplicates ${accounting.duplicates} + dead letters ${accounting.deadLettered}`,
    );
  if (comparison !== null) {
    const { current, candidate } = comparison.coverage;
    const have = new Set(candidate.instruments);
    const had = new Set(current.instruments);
    const missing = current.instruments.filter((i) => !have.has(i));
    const added = candidate.instruments.filter((i) => !had.has(i));
    if (missing.length > 0)
      problems.push(
        `${missing.length} instrument(s) of ${comparison.against} have no window in ${version}: ` +
          `${examples(missing)} (their readings were dead-lettered, or are older than the raw ` +
          `topic retains; see the dead-letter topic and RAW_TOPIC_RETENTION_MS)`,
      );
    if (added.length > 0)
      notes.push(
        `${added.length} instrument(s) have windows only in ${version}: ${examples(added)}`,
      );
    if (current.from !== null && candidate.from !== null && candidate.from > current.from)
      notes.push(
        `${version} starts at ${candidate.from}, ${comparison.against} at ${current.from}: ` +
          'the raw topic no longer holds the older readings (retention)',
      );
    if (current.to !== candidate.to)
      notes.push(
        `latest reading in a window: ${comparison.against} ${current.to}, ${version} ${candidate.to}` +
          ' (windows still open in one of them)',
      );
  }
  return {
    version,
    accounting: { ...accounting, balanced },
    comparison,
    problems,
    notes,
    passed: problems.length === 0,
  };
}

function examples(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')}, ...`;
}

/** The report as lines for a terminal. */
export function formatReport(report: VerificationReport): string {
  const a = report.accounting;
  const lines = [
    `verify ${report.version}: ${report.passed ? 'PASSED' : 'FAILED'}`,
    `  accounting: readings ${a.readings} = counted ${a.counted} + duplicates ${a.duplicates}` +
      ` + dead letters ${a.deadLettered}: ${a.balanced ? 'balanced' : 'NOT balanced'}` +
      ` (${a.partitions} partition(s))`,
  ];
  const c = report.comparison;
  if (c === null) lines.push('  no current version to compare with');
  else {
    const { current, candidate } = c.coverage;
    lines.push(
      `  coverage: ${c.against} ${current.instruments.length} instruments ${current.from} .. ${current.to}`,
      `            ${report.version} ${candidate.instruments.length} instruments ${candidate.from} .. ${candidate.to}`,
      `  windows: ${c.windows.sameBounds} with the same bounds (${c.windows.valueChanged} with other values,` +
        ` ${c.windows.levelChanged} at another level), ${c.windows.onlyInCurrent} only in ${c.against},` +
        ` ${c.windows.onlyInCandidate} only in ${report.version}`,
      `  windows at a level: ${c.against} ${levels(c.levels.current)}; ${report.version} ${levels(c.levels.candidate)}`,
      `  alerts: ${c.alerts.added} added, ${c.alerts.removed} removed`,
      ...c.alerts.addedExamples.map((e) => `    + ${e}`),
      ...c.alerts.removedExamples.map((e) => `    - ${e}`),
    );
  }
  lines.push(...report.problems.map((p) => `  problem: ${p}`));
  lines.push(...report.notes.map((n) => `  note: ${n}`));
  return lines.join('\n');
}

function levels(counts: Record<string, number>): string {
  const text = ['alert', 'alarm', 'action'].map((l) => `${l} ${counts[l] ?? 0}`).join(', ');
  return text;
}
