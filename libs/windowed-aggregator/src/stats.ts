/** Counters and gauges of one partition. Counters survive snapshot and restore. */
export interface PartitionStats {
  readonly partition: number;
  /** Records processed once each (replays excluded). */
  readonly recordsIn: number;
  /** Records aggregated into at least one window. */
  readonly aggregated: number;
  /** Records not aggregated because the key already had a reading at that event time. */
  readonly duplicates: number;
  /** Records returned as late (any LateReason). */
  readonly late: number;
  /** Records skipped because their offset was already processed. */
  readonly replayed: number;
  /** Windows emitted, early ones included. */
  readonly windowsEmitted: number;
  /** Windows emitted early to respect the cap. */
  readonly windowsEvicted: number;
  readonly openWindows: number;
  /** Keys held in memory: with open windows, or remembered for keyRetentionMs of log time. */
  readonly keys: number;
  /** Highest event time of any key (informational: each key closes its windows on its own time). */
  readonly maxEventTimeMs: number | undefined;
  /** The log's clock: the highest log time of the partition's records, or an explicit advance. */
  readonly logTimeMs: number | undefined;

  readonly nextOffset: number | undefined;
}

/** The PartitionStats that add up across partitions. */
const SUMMED = [
  'recordsIn',
  'aggregated',
  'duplicates',
  'late',
  'replayed',
  'windowsEmitted',
  'windowsEvicted',
  'openWindows',
  'keys',
] as const satisfies readonly (keyof PartitionStats)[];
type Summed = (typeof SUMMED)[number];

export interface AggregatorStats {
  readonly partitions: readonly PartitionStats[];
  /** Each summed stat over the partitions. */
  readonly total: Pick<PartitionStats, Summed>;
}

export function totalStats(partitions: readonly PartitionStats[]): AggregatorStats['total'] {
  const total = Object.fromEntries(SUMMED.map((name) => [name, 0])) as Record<Summed, number>;
  for (const stats of partitions) for (const name of SUMMED) total[name] += stats[name];
  return total;
}
