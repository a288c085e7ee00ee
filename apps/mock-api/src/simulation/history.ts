/**
 * The logger's memory: readings recorded at every scan (every `scanIntervalMs`, on the epoch
 * grid), kept for `historyMs`, served after a cursor. Pure: a scan is a function of its time,
 * so the history needs no storage; the bound is what a real logger's memory would be.
 *
 * A cursor names the next item to serve: the scan's time and an offset within that scan's
 * items, written `<scanMs>.<offset>`. Clients treat it as opaque.
 */
export interface HistorySettings {
  /** How often the simulated loggers record a reading (the scans of the log). */
  readonly scanIntervalMs: number;
  /** How far back the log answers; older cursors resume at the oldest scan kept (a gap). */
  readonly historyMs: number;
}

export interface LogPosition {
  readonly scanMs: number;
  readonly offset: number;
}

export interface LogPage<T> {
  readonly items: T[];
  /** Where the next page starts. */
  readonly next: LogPosition;
  /** True when the page was cut by its limit before the latest scan. */
  readonly more: boolean;
  /** Milliseconds of scans the cursor asked for that are no longer kept (0: none lost). */
  readonly gapMs: number;
}

const CURSOR = /^(\d{1,16})\.(\d{1,9})$/;

export function formatCursor(position: LogPosition): string {
  return `${position.scanMs}.${position.offset}`;
}

export function parseCursor(text: string): LogPosition | undefined {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  const scanMs = Number(match[1]);
  if (!Number.isSafeInteger(scanMs)) return undefined;
  return { scanMs, offset: Number(match[2]) };
}

/** The latest scan recorded at `nowMs`. */
export function latestScanMs(nowMs: number, settings: HistorySettings): number {
  return Math.floor(nowMs / settings.scanIntervalMs) * settings.scanIntervalMs;
}

/**
 * Where a client that starts now begins: the first scan all of whose readings are taken after
 * `nowMs`. A scan at S logs readings taken in (S - sampleSpanMs, S]; the readings served
 * without a cursor are taken at or before `nowMs`, so a scan whose span reaches back before
 * `nowMs` could log the very reading just served (the same instrument, time and value), and the
 * client would forward it twice.
 */
export function headPosition(
  nowMs: number,
  settings: HistorySettings,
  sampleSpanMs: number,
): LogPosition {
  const interval = settings.scanIntervalMs;
  return { scanMs: Math.ceil((nowMs + sampleSpanMs) / interval) * interval, offset: 0 };
}

/** The oldest scan the log still holds at `nowMs`. */
export function oldestScanMs(nowMs: number, settings: HistorySettings): number {
  const kept = Math.max(1, Math.floor(settings.historyMs / settings.scanIntervalMs));
  return latestScanMs(nowMs, settings) - (kept - 1) * settings.scanIntervalMs;
}

/**
 * Up to `limit` items after `from`, scan by scan, as recorded by `nowMs`. `scan` returns one
 * scan's items, the same every time it is asked (the log is immutable).
 */
export function readLog<T>(
  from: LogPosition,
  nowMs: number,
  limit: number,
  settings: HistorySettings,
  scan: (scanMs: number) => readonly T[],
): LogPage<T> {
  const interval = settings.scanIntervalMs;
  const latest = latestScanMs(nowMs, settings);
  const oldest = oldestScanMs(nowMs, settings);
  // A cursor off the grid (the interval changed) resumes at the next scan on it.
  let scanMs = Math.ceil(from.scanMs / interval) * interval;
  let offset = scanMs === from.scanMs ? from.offset : 0;
  let gapMs = 0;
  if (scanMs < oldest) {
    gapMs = oldest - scanMs;
    scanMs = oldest;
    offset = 0;
  }
  const items: T[] = [];
  while (scanMs <= latest && items.length < limit) {
    const all = scan(scanMs);
    const taken = all.slice(offset, offset + (limit - items.length));
    items.push(...taken);
    offset += taken.length;
    if (offset >= all.length) {
      scanMs += interval;
      offset = 0;
    }
  }
  return { items, next: { scanMs, offset }, more: scanMs <= latest, gapMs };
}
