import { WindowingError } from './errors';
import { validateWindowSpec, type WindowSpec } from './window-spec';

/**
 * What to do when a partition would hold more than `maxOpenWindowsPerPartition` windows:
 * - `evict-oldest` (default): emit the partition's oldest open windows, by (end, key), early,
 *   flagged `early: true` / `closedBy: 'evicted'`; later readings for an evicted window (or an
 *   older one of the same key) come back late with reason `window_evicted`. Nothing is lost;
 *   results may be partial, and say so.
 * - `reject-record`: leave open windows alone and return a reading that would need a new one
 *   as late with reason `open_window_limit`. Open windows stay complete; readings are refused.
 */
export type OverflowPolicy = 'evict-oldest' | 'reject-record';

export interface WindowedAggregatorOptions<M> {
  readonly spec: WindowSpec;
  /**
   * Cap on open windows in each partition (per partition, so each partition's output stays
   * independent of the others, which exact replay needs). Default 250,000: about 80 to 110 MB
   * of heap at the cap (see the README), 12 times what 10,000 keys need with 10 s windows.
   * A hopping reading opens up to size / advance windows.
   */
  readonly maxOpenWindowsPerPartition?: number;
  readonly onOverflow?: OverflowPolicy;
  /**
   * Checks each `latestMeta` read back from a snapshot, since the lib cannot know your M.
   * Return false to reject the snapshot as SNAPSHOT_INVALID.
   */
  readonly isMeta?: (value: unknown) => value is M;
  /**
   * The longest an open window waits, in log time after its key's last reading, before it is
   * closed as quiet (see the README, "Quiet keys"): a key whose delays make no sense (a clock
   * that jumped by years, a backfill of months) still has its windows closed. Default 2 days:
   * a store-and-forward node uploading daily, or a link down for a day, loses nothing.
   */
  readonly maxQuietWaitMs?: number;
  /**
   * How long, in log time, a key with no open window is remembered after its last reading
   * (its own watermark, what it emitted, its arrival model). A reading of a forgotten key
   * starts it afresh. Default 7 days: far beyond any re-delivery of an old reading.
   */
  readonly keyRetentionMs?: number;
}

export const DEFAULT_MAX_OPEN_WINDOWS_PER_PARTITION = 250_000;
export const DEFAULT_MAX_QUIET_WAIT_MS = 2 * 86_400_000;
export const DEFAULT_KEY_RETENTION_MS = 7 * 86_400_000;

export interface ResolvedOptions {
  readonly spec: WindowSpec;
  readonly maxOpenWindows: number;
  readonly onOverflow: OverflowPolicy;
  readonly isMeta: ((value: unknown) => boolean) | undefined;
  readonly maxQuietWaitMs: number;
  readonly keyRetentionMs: number;
}

/** @throws WindowingError AGGREGATOR_OPTIONS_INVALID, or WINDOW_SPEC_INVALID for the spec */
export function resolveOptions<M>(options: WindowedAggregatorOptions<M>): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw optionsError('options must be an object', 'options');
  const spec = validateWindowSpec(options.spec as unknown);
  const maxOpenWindows =
    options.maxOpenWindowsPerPartition ?? DEFAULT_MAX_OPEN_WINDOWS_PER_PARTITION;
  if (!Number.isSafeInteger(maxOpenWindows) || maxOpenWindows < 1)
    throw optionsError(
      `maxOpenWindowsPerPartition must be a positive integer, got ${String(maxOpenWindows)}`,
      'maxOpenWindowsPerPartition',
    );
  const onOverflow = options.onOverflow ?? 'evict-oldest';
  if (onOverflow !== 'evict-oldest' && onOverflow !== 'reject-record')
    throw optionsError(
      `onOverflow must be 'evict-oldest' or 'reject-record', got ${JSON.stringify(onOverflow)}`,
      'onOverflow',
    );
  if (options.isMeta !== undefined && typeof options.isMeta !== 'function')
    throw optionsError('isMeta must be a function', 'isMeta');
  const duration = (field: 'maxQuietWaitMs' | 'keyRetentionMs', fallback: number): number => {
    const value = options[field] ?? fallback;
    if (!Number.isSafeInteger(value) || value < 0 || value > 1e12)
      throw optionsError(`${field} must be an integer in [0, 1e12], got ${String(value)}`, field);
    return value;
  };
  return {
    spec,
    maxOpenWindows,
    onOverflow,
    isMeta: options.isMeta,
    maxQuietWaitMs: duration('maxQuietWaitMs', DEFAULT_MAX_QUIET_WAIT_MS),
    keyRetentionMs: duration('keyRetentionMs', DEFAULT_KEY_RETENTION_MS),
  };
}

function optionsError(message: string, field: string): WindowingError {
  return new WindowingError(
    'AGGREGATOR_OPTIONS_INVALID',
    `Invalid aggregator options: ${message}`,
    {
      field,
    },
  );
}
