import { pick, uniform, type Random } from './random';

/**
 * Fault injection: the ways real instrument feeds go wrong, each at its own rate, so tests and
 * demos can show the pipeline dead-letters, deduplicates and survives them. Planning is pure (a
 * seeded Random in, a plan out); the simulator applies the plan.
 */
export interface FaultRates {
  /** Per item: one field set to null. */
  readonly nullField: number;
  /** Per item: one field set to the empty string. */
  readonly emptyField: number;
  /** Per item: the reading replaced by text such as "ERR" or "12,7". */
  readonly nonNumeric: number;
  /** Per item: the instrument type replaced by one the pipeline does not know. */
  readonly unknownType: number;
  /** Per item: an older reading delivered now (a logger's backlog), out of time order. */
  readonly outOfOrder: number;
  /** Per item: the item sent twice in the same envelope. */
  readonly duplicate: number;
  /** Per request: the response delayed by slowMs. */
  readonly slow: number;
  readonly slowMs: number;
  /** Per request: HTTP 500 with a JSON error. */
  readonly http500: number;
  /** Per request: HTTP 200 with a body that is not an envelope (truncated JSON, HTML, ...). */
  readonly garbage: number;
}

export const NO_FAULTS: FaultRates = {
  nullField: 0,
  emptyField: 0,
  nonNumeric: 0,
  unknownType: 0,
  outOfOrder: 0,
  duplicate: 0,
  slow: 0,
  slowMs: 10_000,
  http500: 0,
  garbage: 0,
};

/** The item fields in the reference API's order. */
export const WIRE_FIELDS = [
  'borehole_number',
  'instrument',
  'surface_level',
  'northing',
  'easting',
  'reading',
  'timestamp',
] as const;

export type WireField = (typeof WIRE_FIELDS)[number];

/** One envelope item as sent: a reading, unless a fault broke it. */
export type WireItem = Record<WireField, unknown>;

export type ItemCorruption =
  | { readonly kind: 'null_field'; readonly field: WireField }
  | { readonly kind: 'empty_field'; readonly field: WireField }
  | { readonly kind: 'non_numeric'; readonly text: string }
  | { readonly kind: 'unknown_type'; readonly name: string };

export interface ItemFaultPlan {
  readonly corruption?: ItemCorruption;
  /** Deliver a reading taken this long before the current one instead. */
  readonly latenessMs?: number;
  readonly duplicate: boolean;
}

const NON_NUMERIC_READINGS = ['ERR', 'n/a', '#VALUE!', '12,7', 'NaN', 'OVERRANGE', ''] as const;
// Types the pipeline does not know, including the reference API's own old names.
const UNKNOWN_TYPES = [
  'inclinometer',
  'tiltmeter',
  'load_cell',
  'settlement marker x',
  'Piezometer',
] as const;
const LATENESS_MS = { min: 30_000, max: 600_000 } as const;

/**
 * At most one of the corrupting faults per item (their rates must sum to at most 1), plus an
 * independent chance of duplication.
 */
export function planItemFault(random: Random, rates: FaultRates): ItemFaultPlan {
  let u = random();
  const duplicate = random() < rates.duplicate;
  if ((u -= rates.nullField) < 0) {
    return { corruption: { kind: 'null_field', field: pick(random, WIRE_FIELDS) }, duplicate };
  }
  if ((u -= rates.emptyField) < 0) {
    return { corruption: { kind: 'empty_field', field: pick(random, WIRE_FIELDS) }, duplicate };
  }
  if ((u -= rates.nonNumeric) < 0) {
    return {
      corruption: { kind: 'non_numeric', text: pick(random, NON_NUMERIC_READINGS) },
      duplicate,
    };
  }
  if ((u -= rates.unknownType) < 0) {
    return { corruption: { kind: 'unknown_type', name: pick(random, UNKNOWN_TYPES) }, duplicate };
  }
  if ((u -= rates.outOfOrder) < 0) {
    return { latenessMs: Math.round(uniform(random, LATENESS_MS.min, LATENESS_MS.max)), duplicate };
  }
  return { duplicate };
}

export function corruptItem(item: WireItem, corruption: ItemCorruption): WireItem {
  switch (corruption.kind) {
    case 'null_field':
      return { ...item, [corruption.field]: null };
    case 'empty_field':
      return { ...item, [corruption.field]: '' };
    case 'non_numeric':
      return { ...item, reading: corruption.text };
    case 'unknown_type':
      return { ...item, instrument: corruption.name };
  }
}

export const GARBAGE_KINDS = ['truncated_json', 'html', 'empty', 'error_json', 'binary'] as const;
export type GarbageKind = (typeof GARBAGE_KINDS)[number];

export type RequestOutcome =
  | { readonly kind: 'normal' }
  | { readonly kind: 'http_500' }
  | { readonly kind: 'garbage'; readonly garbage: GarbageKind };

export interface RequestFaultPlan {
  readonly slow: boolean;
  readonly outcome: RequestOutcome;
}

/** Slowness is independent; a 500 and garbage exclude each other (their rates sum to at most 1). */
export function planRequestFault(random: Random, rates: FaultRates): RequestFaultPlan {
  const slow = random() < rates.slow;
  const u = random();
  if (u < rates.http500) return { slow, outcome: { kind: 'http_500' } };
  if (u < rates.http500 + rates.garbage) {
    return { slow, outcome: { kind: 'garbage', garbage: pick(random, GARBAGE_KINDS) } };
  }
  return { slow, outcome: { kind: 'normal' } };
}

export interface GarbageBody {
  readonly contentType: string;
  readonly body: string | Buffer;
}

/** A body that is not a usable envelope, built from the real one where that is realistic. */
export function garbageBody(kind: GarbageKind, realBody: string, random: Random): GarbageBody {
  switch (kind) {
    case 'truncated_json':
      // A connection cut mid-body: the start of a real envelope, never all of it.
      return {
        contentType: 'application/json; charset=utf-8',
        body: realBody.slice(0, Math.max(1, Math.floor(random() * (realBody.length - 1)))),
      };
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
      };
    case 'empty':
      return { contentType: 'application/json; charset=utf-8', body: '' };
    case 'error_json':
      // What the reference API itself returns when it fails, with HTTP 200.
      return {
        contentType: 'application/json; charset=utf-8',
        body: '{"error": "container could not be serialized."}',
      };
    case 'binary':
      return {
        contentType: 'application/octet-stream',
        body: Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))),
      };
  }
}
