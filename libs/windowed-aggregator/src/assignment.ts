import { WindowingError } from './errors';
import type { TimeWindowSpec } from './window-spec';

/** A window's bounds: [startMs, endMs), epoch milliseconds. */
export interface WindowBounds {
  readonly startMs: number;
  readonly endMs: number;
}

/** The range `new Date(ms)` accepts; keeps every window bound a safe integer. */
export const MAX_EVENT_TIME_MS = 8.64e15;

export function isValidEventTime(eventTimeMs: unknown): eventTimeMs is number {
  return (
    typeof eventTimeMs === 'number' &&
    Number.isSafeInteger(eventTimeMs) &&
    eventTimeMs >= -MAX_EVENT_TIME_MS &&
    eventTimeMs <= MAX_EVENT_TIME_MS
  );
}

/**
 * The windows a reading at `eventTimeMs` belongs to, oldest first. Pure: windows are aligned
 * to the Unix epoch, so a reading exactly at a window's start belongs to it and one exactly
 * at its end belongs to the next.
 * @throws WindowingError ARGUMENT_INVALID when eventTimeMs is not an integer in Date's range
 */
export function windowsFor(spec: TimeWindowSpec, eventTimeMs: number): WindowBounds[] {
  if (!isValidEventTime(eventTimeMs))
    throw new WindowingError(
      'ARGUMENT_INVALID',
      `eventTimeMs must be an integer within ±${MAX_EVENT_TIME_MS}, got ${String(eventTimeMs)}`,
      { eventTimeMs },
    );
  const advanceMs = spec.kind === 'tumbling' ? spec.sizeMs : spec.advanceMs;
  const lastStart = latestWindowStart(eventTimeMs, advanceMs);
  const count = windowCount(eventTimeMs - lastStart, spec.sizeMs, advanceMs);
  const windows: WindowBounds[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const startMs = lastStart - i * advanceMs;
    windows.push({ startMs, endMs: startMs + spec.sizeMs });
  }
  return windows;
}

/** Start of the last epoch-aligned window (every `advanceMs`) that starts at or before t. */
export function latestWindowStart(eventTimeMs: number, advanceMs: number): number {
  // Division and floor instead of %, which is a slow fmod call on times beyond 2^31. The
  // quotient may round up near 2^53, so the result is corrected to the exact multiple.
  let start = Math.floor(eventTimeMs / advanceMs) * advanceMs;
  if (start > eventTimeMs) start -= advanceMs;
  else if (eventTimeMs - start >= advanceMs) start += advanceMs;
  // `+ 0` turns -0 (from a negative zero quotient) into 0, so JSON round-trips agree.
  return start + 0;
}

/**
 * How many windows of `sizeMs`, starting every `advanceMs`, contain a time that lies
 * `offsetInLatest` ms after the start of the latest one: those starting in (t - size, t].
 */
export function windowCount(offsetInLatest: number, sizeMs: number, advanceMs: number): number {
  return Math.ceil((sizeMs - offsetInLatest) / advanceMs);
}
