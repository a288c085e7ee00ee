import { integerAt, invalidState, nullable, versionedObject } from '../state-reader';

export const PIPELINE_CLOCK_VERSION = 1;

/**
 * The longest step one record may advance running time by, unless the caller says otherwise.
 * With the producer polling every few seconds, a partition carrying live instruments sees
 * records every few seconds; a minute without any means the producer, its source or Kafka
 * stopped, not that every instrument on the partition did.
 */
export const DEFAULT_MAX_LOG_STEP_MS = 60_000;

/**
 * A partition's time, as silence is measured in it. Never the wall clock: when the pipeline is
 * behind, log time is where it has read to, so instruments are judged by the rhythm the log
 * recorded; when the producer is down, nothing is appended and log time stops, so nobody goes
 * silent. Plain JSON: checkpoint it with the partition.
 */
export interface PipelineClock {
  readonly schema_version: typeof PIPELINE_CLOCK_VERSION;
  /** The highest Kafka record timestamp processed on the partition (ms); null before any. */
  readonly log_time_ms: number | null;
  /**
   * Log time with the partition's stalls cut short: each record advances it by its step in log
   * time, but by at most the clock's maxStepMs. A producer back after an hour's outage makes
   * log time jump an hour at its first record, before the other instruments' readings of that
   * poll follow it; in running time that hour counts as one step, so their silence allowance is
   * not eaten by the outage. Null before any record.
   */
  readonly running_ms: number | null;
}

export interface PipelineClockOptions {
  /** Default DEFAULT_MAX_LOG_STEP_MS. Infinity makes running time plain log time. */
  readonly maxStepMs?: number;
}

export function initialPipelineClock(): PipelineClock {
  return { schema_version: PIPELINE_CLOCK_VERSION, log_time_ms: null, running_ms: null };
}

/**
 * The clock after a record with this Kafka timestamp (ms). Log time only moves forward (a record
 * older than the latest leaves it); a timestamp that is not a whole number >= 0 (Kafka's -1 for
 * "none") leaves the clock as it is.
 */
export function advancePipelineClock(
  clock: PipelineClock | undefined,
  recordTimestampMs: number,
  options: PipelineClockOptions = {},
): PipelineClock {
  const maxStepMs = options.maxStepMs ?? DEFAULT_MAX_LOG_STEP_MS;
  if (!(maxStepMs > 0)) throw new RangeError(`maxStepMs must be > 0, got ${maxStepMs}`);
  const before = clock ?? initialPipelineClock();
  if (!Number.isSafeInteger(recordTimestampMs) || recordTimestampMs < 0) return before;
  if (before.log_time_ms === null || before.running_ms === null)
    return {
      schema_version: PIPELINE_CLOCK_VERSION,
      log_time_ms: recordTimestampMs,
      running_ms: recordTimestampMs,
    };
  const step = recordTimestampMs - before.log_time_ms;
  if (step <= 0) return before;
  return {
    schema_version: PIPELINE_CLOCK_VERSION,
    log_time_ms: recordTimestampMs,
    running_ms: before.running_ms + Math.min(step, maxStepMs),
  };
}

/**
 * A clock read back from a checkpoint.
 * @throws AlertingError STATE_INVALID | STATE_VERSION_UNSUPPORTED
 */
export function readPipelineClock(json: unknown, path = '$'): PipelineClock {
  const object = versionedObject(json, PIPELINE_CLOCK_VERSION, path);
  const log = nullable(object['log_time_ms'], (v) => integerAt(v, `${path}.log_time_ms`, 0));
  const running = nullable(object['running_ms'], (v) => integerAt(v, `${path}.running_ms`, 0));
  if ((log === null) !== (running === null) || (log !== null && (running as number) > log))
    throw invalidState(path, 'must have both times or neither, running_ms <= log_time_ms');
  return { schema_version: PIPELINE_CLOCK_VERSION, log_time_ms: log, running_ms: running };
}
