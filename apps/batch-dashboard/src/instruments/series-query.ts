import type { Knex } from 'knex';
import type { InstrumentType } from '@geostream/instrument-schemas';
import { POSTGRES_TABLES } from '@geostream/sinks/names';

/** One point of an instrument's time series: a window, or a bucket of windows when downsampled. */
export interface SeriesPoint {
  readonly t: Date;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export interface SeriesRequest {
  readonly type: InstrumentType;
  readonly borehole: string;
  readonly from: Date;
  readonly to: Date;
  readonly maxPoints: number;
}

export interface Series {
  readonly points: SeriesPoint[];
  /** 0 when every window is a point; otherwise the width of the buckets windows were merged into. */
  readonly bucketMs: number;
}

/**
 * An instrument's windows in [from, to), served by the primary key (instrument, borehole_number,
 * window_start). When there are more than maxPoints, windows are merged into equal time buckets
 * and each bucket keeps the true mean of its readings (sum of mean x count over the sum of
 * counts), the min of the mins and the max of the maxes: a chart never shows an average of
 * averages.
 */
export async function querySeries(db: Knex, request: SeriesRequest): Promise<Series> {
  const where = {
    instrument: request.type,
    borehole_number: request.borehole,
  };
  const rows = (await db(POSTGRES_TABLES.readingWindow)
    .select({
      t: 'window_start',
      mean: 'reading_mean',
      min: 'reading_min',
      max: 'reading_max',
      count: 'reading_count',
    })
    .where(where)
    .where('window_start', '>=', request.from)
    .where('window_start', '<', request.to)
    .orderBy('window_start', 'asc')
    .limit(request.maxPoints + 1)) as SeriesPoint[];
  if (rows.length <= request.maxPoints) return { points: rows, bucketMs: 0 };

  // Buckets span the windows actually there, not the range asked for (an instrument that
  // reported for a day of a requested year still gets maxPoints buckets).
  const [bounds] = (await db(POSTGRES_TABLES.readingWindow)
    .min({ first: 'window_start' })
    .max({ last: 'window_start' })
    .where(where)
    .where('window_start', '>=', request.from)
    .where('window_start', '<', request.to)) as Array<{ first: Date; last: Date }>;
  const first = bounds?.first ?? request.from;
  const spanMs = (bounds?.last ?? request.to).getTime() - first.getTime() + 1;
  const bucketMs = Math.max(1_000, Math.ceil(spanMs / request.maxPoints / 1_000) * 1_000);
  const bucket = db.raw('date_bin(make_interval(secs => ?), ??, ?::timestamptz)', [
    bucketMs / 1_000,
    'window_start',
    first,
  ]);
  const buckets = (await db(POSTGRES_TABLES.readingWindow)
    .select({ t: bucket })
    .select(
      db.raw('sum(?? * ??) / sum(??) as mean', ['reading_mean', 'reading_count', 'reading_count']),
      db.raw('min(??) as min', ['reading_min']),
      db.raw('max(??) as max', ['reading_max']),
      db.raw('sum(??)::int as count', ['reading_count']),
    )
    .where(where)
    .where('window_start', '>=', request.from)
    .where('window_start', '<', request.to)
    .groupByRaw('1')
    .orderByRaw('1')) as SeriesPoint[];
  return { points: buckets, bucketMs };
}
