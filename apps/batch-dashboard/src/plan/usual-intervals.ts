import type { Knex } from 'knex';
import type { InstrumentType } from '@geostream/instrument-schemas';
import { POSTGRES_TABLES } from '@geostream/sinks/names';
import { usualIntervalJoin, usualIntervalOf } from '../overview/activity-query';

/**
 * Every instrument's usual interval (the overview's measure: usualIntervalJoin), kept in memory
 * for the plan. Measuring it takes one index probe per instrument, about 0.3 s for 20,000 on
 * our machine, while the interval itself (the median of an instrument's last gaps) changes
 * slowly: so the plan reads it from here, refreshed in the background once it is older than
 * maxAgeMs (stale-while-revalidate: no request waits for a refresh but the very first). An
 * instrument not measured yet gets null, which the staleness rule treats as "too little
 * history" (its fallback interval), until the next refresh.
 */
export interface UsualIntervals {
  /** The intervals (ms, or null) by instrumentKey; loads them on first use. */
  current(): Promise<ReadonlyMap<string, number | null>>;
}

export const usualIntervalKey = (type: InstrumentType, id: string): string => `${type}:${id}`;

export function createUsualIntervals(
  db: Knex,
  options: { clock: () => number; maxAgeMs: number; onError: (error: unknown) => void },
): UsualIntervals {
  let intervals: ReadonlyMap<string, number | null> | undefined;
  let loadedAt = 0;
  let refreshing: Promise<ReadonlyMap<string, number | null>> | undefined;

  const refresh = (): Promise<ReadonlyMap<string, number | null>> => {
    refreshing ??= (async () => {
      const startedAt = options.clock();
      const join = usualIntervalJoin();
      const result = (await db.raw(
        `SELECT s.instrument, s.borehole_number, gaps.usual_interval_ms FROM ?? s ${join.sql}`,
        [POSTGRES_TABLES.instrumentState, ...join.bindings],
      )) as {
        rows: Array<{
          instrument: InstrumentType;
          borehole_number: string;
          usual_interval_ms: number | string | null;
        }>;
      };
      const next = new Map<string, number | null>();
      for (const row of result.rows) {
        next.set(
          usualIntervalKey(row.instrument, row.borehole_number),
          usualIntervalOf(row.usual_interval_ms),
        );
      }
      intervals = next;
      loadedAt = startedAt;
      return next;
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  return {
    async current() {
      if (intervals === undefined) return refresh();
      if (options.clock() - loadedAt > options.maxAgeMs && refreshing === undefined) {
        refresh().catch(options.onError);
      }
      return intervals;
    },
  };
}
