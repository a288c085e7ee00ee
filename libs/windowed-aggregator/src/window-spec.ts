import { WindowingError } from './errors';

/**
 * Window specs are immutable, validated values. Every factory takes the grace period
 * explicitly (as Kafka Streams' `ofSizeAndGrace` does): how long to wait for out-of-order
 * readings is a decision, never a default.
 *
 * All durations are integer milliseconds. Tumbling and hopping windows are aligned to the Unix
 * epoch and half-open: a window is [startMs, endMs).
 */
export interface TumblingWindowSpec {
  readonly kind: 'tumbling';
  readonly sizeMs: number;
  readonly graceMs: number;
}

/** Windows of `sizeMs` starting every `advanceMs` (advanceMs <= sizeMs): a reading is in several. */
export interface HoppingWindowSpec {
  readonly kind: 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
}

/**
 * Per-key sessions: readings less than `gapMs` apart belong to the same session. A session
 * holding readings first..last is the window [first, last + gapMs).
 */
export interface SessionWindowSpec {
  readonly kind: 'session';
  readonly gapMs: number;
  readonly graceMs: number;
}

/** Fixed windows, assignable from an event time alone (see windowsFor). */
export type TimeWindowSpec = TumblingWindowSpec | HoppingWindowSpec;
export type WindowSpec = TimeWindowSpec | SessionWindowSpec;
export type WindowKind = WindowSpec['kind'];

/** Longest duration accepted (about 31.7 years): keeps every window bound a safe integer. */
export const MAX_DURATION_MS = 1e12;
/** A hopping spec may put a reading in at most this many windows. */
export const MAX_WINDOWS_PER_RECORD = 10_000;

export function tumblingWindows(options: { sizeMs: number; graceMs: number }): TumblingWindowSpec {
  return validateWindowSpec({ kind: 'tumbling', sizeMs: options.sizeMs, graceMs: options.graceMs });
}

export function hoppingWindows(options: {
  sizeMs: number;
  advanceMs: number;
  graceMs: number;
}): HoppingWindowSpec {
  return validateWindowSpec({
    kind: 'hopping',
    sizeMs: options.sizeMs,
    advanceMs: options.advanceMs,
    graceMs: options.graceMs,
  });
}

export function sessionWindows(options: { gapMs: number; graceMs: number }): SessionWindowSpec {
  return validateWindowSpec({ kind: 'session', gapMs: options.gapMs, graceMs: options.graceMs });
}

/**
 * Builds a spec from flat settings such as platform's `windowSettings(env)`: only the fields
 * the kind uses are read.
 */
export function windowSpecFromSettings(settings: {
  readonly kind: WindowKind;
  readonly sizeMs: number;
  readonly advanceMs?: number;
  readonly gapMs?: number;
  readonly graceMs: number;
}): WindowSpec {
  switch (settings.kind) {
    case 'tumbling':
      return tumblingWindows(settings);
    case 'hopping':
      return hoppingWindows({ ...settings, advanceMs: settings.advanceMs ?? Number.NaN });
    case 'session':
      return sessionWindows({ gapMs: settings.gapMs ?? Number.NaN, graceMs: settings.graceMs });
    default:
      return validateWindowSpec(settings as unknown as WindowSpec);
  }
}

/**
 * Checks any value claiming to be a spec (a hand-written literal, a parsed snapshot) and
 * returns a frozen copy holding only the kind's fields.
 * @throws WindowingError WINDOW_SPEC_INVALID
 */
export function validateWindowSpec<S extends WindowSpec>(spec: S): S;
export function validateWindowSpec(spec: unknown): WindowSpec;
export function validateWindowSpec(spec: unknown): WindowSpec {
  if (typeof spec !== 'object' || spec === null) throw specError('a spec must be an object', spec);
  const s = spec as Record<string, unknown>;
  switch (s['kind']) {
    case 'tumbling':
      return Object.freeze({
        kind: 'tumbling',
        sizeMs: duration(s, 'sizeMs', 1),
        graceMs: duration(s, 'graceMs', 0),
      });
    case 'hopping': {
      const sizeMs = duration(s, 'sizeMs', 1);
      const advanceMs = duration(s, 'advanceMs', 1);
      if (advanceMs > sizeMs)
        throw specError(`advanceMs (${advanceMs}) must not exceed sizeMs (${sizeMs})`, spec);
      if (Math.ceil(sizeMs / advanceMs) > MAX_WINDOWS_PER_RECORD)
        throw specError(
          `sizeMs / advanceMs puts a reading in more than ${MAX_WINDOWS_PER_RECORD} windows`,
          spec,
        );
      return Object.freeze({
        kind: 'hopping',
        sizeMs,
        advanceMs,
        graceMs: duration(s, 'graceMs', 0),
      });
    }
    case 'session':
      return Object.freeze({
        kind: 'session',
        gapMs: duration(s, 'gapMs', 1),
        graceMs: duration(s, 'graceMs', 0),
      });
    default:
      throw specError(
        `kind must be tumbling, hopping or session, got ${JSON.stringify(s['kind'])}`,
        spec,
      );
  }
}

export function windowSpecsEqual(a: WindowSpec, b: WindowSpec): boolean {
  if (a.kind !== b.kind || a.graceMs !== b.graceMs) return false;
  switch (a.kind) {
    case 'tumbling':
      return a.sizeMs === (b as TumblingWindowSpec).sizeMs;
    case 'hopping':
      return (
        a.sizeMs === (b as HoppingWindowSpec).sizeMs &&
        a.advanceMs === (b as HoppingWindowSpec).advanceMs
      );
    case 'session':
      return a.gapMs === (b as SessionWindowSpec).gapMs;
  }
}

function duration(spec: Record<string, unknown>, field: string, min: number): number {
  const value = spec[field];
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > MAX_DURATION_MS
  )
    throw specError(
      `${field} must be an integer number of milliseconds in [${min}, ${MAX_DURATION_MS}], got ${String(value)}`,
      spec,
      field,
    );
  return value;
}

function specError(message: string, spec: unknown, field?: string): WindowingError {
  return new WindowingError('WINDOW_SPEC_INVALID', `Invalid window spec: ${message}`, {
    spec,
    ...(field === undefined ? {} : { field }),
  });
}
