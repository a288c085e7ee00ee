import type { InstrumentType, TriggerLevel } from '@geostream/instrument-schemas';

/**
 * What the history grid asks for, already validated by the route's schema. The SQL built from
 * it never takes a column name from the request: sorts and filters are picked from the lists
 * below.
 */
export interface HistoryFilter {
  readonly types?: readonly InstrumentType[];
  readonly borehole?: string;
  /** Inclusive lower bound on window_start. */
  readonly from?: Date;
  /** Exclusive upper bound on window_start. */
  readonly to?: Date;
  readonly levels?: readonly TriggerLevel[];
}

export type SortDirection = 'asc' | 'desc';

/**
 * The sort orders the history offers, each a total order (the last column makes every row's
 * position unique, which keyset pagination needs) that an index of reading_window serves in
 * both directions:
 * - time: (window_start, id), ties broken by the window id; the sinks' indexes
 *   (window_start desc, id desc), (instrument, window_start desc, id desc) and
 *   (trigger_level, window_start desc, id desc) serve it unfiltered, by type and by level;
 * - instrument: the primary key (instrument, borehole_number, window_start): one instrument's
 *   windows together, by type then id (identity is the pair).
 * Other columns are not sortable: sorting millions of rows by an unindexed value cannot be fast.
 */
export const HISTORY_SORTS = {
  time: ['window_start', 'id'],
  instrument: ['instrument', 'borehole_number', 'window_start'],
} as const satisfies Record<string, readonly SortColumn[]>;

export type SortColumn = 'window_start' | 'id' | 'instrument' | 'borehole_number';
export type HistorySortKey = keyof typeof HISTORY_SORTS;
export const HISTORY_SORT_KEYS = Object.keys(HISTORY_SORTS) as HistorySortKey[];

export interface HistorySort {
  readonly key: HistorySortKey;
  readonly direction: SortDirection;
}
