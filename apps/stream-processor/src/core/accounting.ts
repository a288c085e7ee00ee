import type { ReasonCode } from '@geostream/instrument-schemas';

/**
 * Where every input reading went. An input reading is one unit of the raw log: a
 * single-reading message, one item of a batch envelope, or a message (or envelope) rejected
 * whole. Each ends in exactly one of three places:
 *
 *   readings = counted + duplicates + dead-lettered
 *
 * counted: aggregated into at least one window; duplicates: its instrument already had a
 * reading at that instant in the open window (re-sent by a logger, producer or link);
 * dead-lettered: invalid (its reason code) or `late` (its window was already emitted).
 */
export interface Accounting {
  /** Kafka messages processed. */
  messages: number;
  readings: number;
  counted: number;
  duplicates: number;
  /** Dead letters by reason code (`late` included). */
  deadLettered: Partial<Record<ReasonCode, number>>;
  /** Counted readings that also missed some older windows (hopping windows only). */
  partiallyLate: number;
  windows: number;
  alerts: number;
  /** Idle flushes: open windows closed early because the partition went quiet. */
  flushes: number;
}

export function emptyAccounting(): Accounting {
  return {
    messages: 0,
    readings: 0,
    counted: 0,
    duplicates: 0,
    deadLettered: {},
    partiallyLate: 0,
    windows: 0,
    alerts: 0,
    flushes: 0,
  };
}

export function deadLetteredTotal(accounting: Accounting): number {
  let total = 0;
  for (const count of Object.values(accounting.deadLettered)) total += count ?? 0;
  return total;
}

/** True when every reading is accounted for exactly once. */
export function isBalanced(accounting: Accounting): boolean {
  return (
    accounting.readings ===
    accounting.counted + accounting.duplicates + deadLetteredTotal(accounting)
  );
}

export function addAccounting(into: Accounting, from: Accounting): void {
  into.messages += from.messages;
  into.readings += from.readings;
  into.counted += from.counted;
  into.duplicates += from.duplicates;
  into.partiallyLate += from.partiallyLate;
  into.windows += from.windows;
  into.alerts += from.alerts;
  into.flushes += from.flushes;
  for (const [reason, count] of Object.entries(from.deadLettered) as [ReasonCode, number][])
    into.deadLettered[reason] = (into.deadLettered[reason] ?? 0) + count;
}

const COUNTS = [
  'messages',
  'readings',
  'counted',
  'duplicates',
  'partiallyLate',
  'windows',
  'alerts',
  'flushes',
] as const;

/** Reads accounting back from a checkpoint; undefined when it is not well formed. */
export function readAccounting(value: unknown): Accounting | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const source = value as Record<string, unknown>;
  const accounting = emptyAccounting();
  for (const name of COUNTS) {
    const count = source[name];
    if (!Number.isSafeInteger(count) || (count as number) < 0) return undefined;
    accounting[name] = count as number;
  }
  const deadLettered = source['deadLettered'];
  if (typeof deadLettered !== 'object' || deadLettered === null) return undefined;
  for (const [reason, count] of Object.entries(deadLettered)) {
    if (!Number.isSafeInteger(count) || (count as number) < 0) return undefined;
    accounting.deadLettered[reason as ReasonCode] = count as number;
  }
  return accounting;
}
