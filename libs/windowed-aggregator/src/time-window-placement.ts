import type { WindowBounds } from './assignment';
import { latestWindowStart, windowCount } from './assignment';
import type { KeyState } from './key-state';
import { AGGREGATED, DUPLICATE, LATE, type PartitionState, type Sink } from './partition-state';
import type { WindowedRecord } from './record';

/**
 * Places a reading in its key's tumbling or hopping windows. Its windows, oldest first, end in
 * ascending order, so those already closed (ending at or before the key's horizon: its own
 * watermark, or what it emitted otherwise) are a prefix: the reading is late for those and goes
 * into the rest. A reading whose event time the key already holds is a duplicate for all of them.
 */
export function placeInTimeWindows<M>(
  partition: PartitionState<M>,
  state: KeyState<M>,
  record: WindowedRecord<M>,
  eventTimeMs: number,
  sink: Sink<M>,
): number {
  const sizeMs = partition.sizeMs;
  const advanceMs = partition.advanceMs;
  const lastStart = latestWindowStart(eventTimeMs, advanceMs);
  const count = advanceMs === sizeMs ? 1 : windowCount(eventTimeMs - lastStart, sizeMs, advanceMs);
  const firstStart = lastStart - (count - 1) * advanceMs;

  const closedUntilMs = partition.horizonOf(state);
  let closedCount = 0;
  while (closedCount < count && firstStart + closedCount * advanceMs + sizeMs <= closedUntilMs)
    closedCount++;

  if (closedCount === count) {
    reportClosed(partition, state, record, firstStart, closedCount, sink);
    return LATE;
  }
  const outcome = closedCount > 0 ? LATE : 0;
  if (state.hasTime(eventTimeMs)) {
    if (closedCount > 0) reportClosed(partition, state, record, firstStart, closedCount, sink);
    return outcome | DUPLICATE;
  }
  if (
    partition.rejectWhenFull &&
    partition.openWindows + missingWindows(state, firstStart, closedCount, count, advanceMs) >
      partition.maxOpenWindows
  ) {
    // All or nothing, so a reading is never half-aggregated.
    partition.reportLate(
      record,
      state,
      'open_window_limit',
      bounds(firstStart, count, advanceMs, sizeMs),
      sink,
    );
    return LATE;
  }

  const value = record.value + 0;
  const newest = state.newest;
  if (count === 1 && newest !== undefined && newest.startMs === firstStart) {
    // The common case: an in-order tumbling reading for the key's newest window.
    newest.add(eventTimeMs, value, record.offset, record.meta);
    state.addTime(eventTimeMs);
    return AGGREGATED;
  }
  const windows = state.windows;
  // Walk the key's open windows (ascending by start) from the newest, where in-order
  // readings land; `at` is where the window starting at startMs is or belongs.
  let at = windows.length;
  for (let i = count - 1; i >= closedCount; i--) {
    const startMs = firstStart + i * advanceMs;
    let window = windows[at - 1];
    while (window !== undefined && window.startMs > startMs) window = windows[--at - 1];
    if (window !== undefined && window.startMs === startMs) {
      window.add(eventTimeMs, value, record.offset, record.meta);
      at--;
    } else {
      const created = partition.openWindow(
        state,
        startMs,
        startMs + sizeMs,
        eventTimeMs,
        value,
        record.offset,
        record.meta,
      );
      state.insertWindow(at, created);
    }
  }
  state.addTime(eventTimeMs);
  if (closedCount > 0) reportClosed(partition, state, record, firstStart, closedCount, sink);
  return outcome | AGGREGATED;
}

function reportClosed<M>(
  partition: PartitionState<M>,
  state: KeyState<M>,
  record: WindowedRecord<M>,
  firstStart: number,
  closedCount: number,
  sink: Sink<M>,
): void {
  const { advanceMs, sizeMs } = partition;
  const latestEndMs = firstStart + (closedCount - 1) * advanceMs + sizeMs;
  const missed = bounds(firstStart, closedCount, advanceMs, sizeMs);
  partition.reportLate(record, state, partition.lateReason(state, latestEndMs), missed, sink);
}

function bounds(
  firstStart: number,
  count: number,
  advanceMs: number,
  sizeMs: number,
): WindowBounds[] {
  const windows: WindowBounds[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = firstStart + i * advanceMs;
    windows.push({ startMs, endMs: startMs + sizeMs });
  }
  return windows;
}

function missingWindows<M>(
  state: KeyState<M>,
  firstStart: number,
  from: number,
  count: number,
  advanceMs: number,
): number {
  let missing = 0;
  for (let i = from; i < count; i++) {
    const startMs = firstStart + i * advanceMs;
    if (!state.windows.some((window) => window.startMs === startMs)) missing++;
  }
  return missing;
}
