import type { InstrumentAlertState } from '@geostream/alerting';
import type { PartitionSnapshot } from '@geostream/windowed-aggregator';
import { readAccounting, type Accounting } from './accounting';
import type { ReadingMeta } from './reading-meta';

export const CHECKPOINT_FORMAT = 'geostream.stream-processor.partition';
export const CHECKPOINT_VERSION = 1;

/**
 * Everything one input partition's processing depends on, as plain JSON: stored in
 * PostgreSQL (processor_checkpoint.state) in the same transaction as the windows it produced,
 * so (nextOffset, state) is always a consistent restart point. Replaying the log from
 * nextOffset with this state reproduces exactly the outputs of the run that wrote it.
 */
export interface PartitionCheckpointState {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly topic: string;
  readonly partition: number;
  /** The Kafka offset to resume from: every record before it is reflected in this state. */
  readonly nextOffset: number;
  /** Open windows, watermark and duplicate memory of the partition. */
  readonly aggregator: PartitionSnapshot<ReadingMeta>;
  /** Trigger-level state of each instrument seen on the partition, by instrument key. */
  readonly alerts: Readonly<Record<string, InstrumentAlertState>>;
  /** Cumulative accounting since the consumer group started. */
  readonly accounting: Accounting;
}

/** Stable codes: a bad checkpoint stops the partition loudly instead of replaying wrongly. */
export type CheckpointErrorCode =
  /** Not a checkpoint this version can read (format, version or a field is wrong). */
  | 'CHECKPOINT_INVALID'
  /** A checkpoint of another topic or partition. */
  | 'CHECKPOINT_MISMATCH'
  /** Written with other window settings: replaying it would mix two window definitions. */
  | 'CHECKPOINT_INCOMPATIBLE';

/** Same shape as platform's GeostreamError (code, retriable, details); the core does no I/O. */
export class CheckpointError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CheckpointError';
  }
}

const LEVELS = new Set(['none', 'alert', 'alarm', 'action']);

function isDirectionState(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    LEVELS.has(state['level'] as string) &&
    (state['pending_level'] === null || LEVELS.has(state['pending_level'] as string)) &&
    Number.isSafeInteger(state['pending_count'])
  );
}

function isAlertState(value: unknown): value is InstrumentAlertState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    state['schema_version'] === 1 &&
    (state['last_window_start'] === null || typeof state['last_window_start'] === 'string') &&
    isDirectionState(state['rising']) &&
    isDirectionState(state['falling'])
  );
}

function invalid(message: string, details: Record<string, unknown> = {}): CheckpointError {
  return new CheckpointError('CHECKPOINT_INVALID', `Invalid checkpoint: ${message}`, details);
}

/**
 * Checks the envelope of a checkpoint read from PostgreSQL (the aggregator validates its own
 * snapshot when restored).
 * @throws CheckpointError
 */
export function readCheckpointState(
  value: unknown,
  expected: { readonly topic: string; readonly partition: number },
): PartitionCheckpointState {
  if (typeof value !== 'object' || value === null) throw invalid('not an object');
  const state = value as Record<string, unknown>;
  if (state['format'] !== CHECKPOINT_FORMAT) throw invalid(`format is not ${CHECKPOINT_FORMAT}`);
  if (state['version'] !== CHECKPOINT_VERSION)
    throw invalid(`version ${String(state['version'])} is not ${CHECKPOINT_VERSION}`);
  if (state['topic'] !== expected.topic || state['partition'] !== expected.partition)
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `Checkpoint of ${String(state['topic'])}/${String(state['partition'])} cannot restore ${expected.topic}/${expected.partition}`,
      { expected, found: { topic: state['topic'], partition: state['partition'] } },
    );
  const nextOffset = state['nextOffset'];
  if (!Number.isSafeInteger(nextOffset) || (nextOffset as number) < 0)
    throw invalid('nextOffset must be a non-negative integer');
  const alerts = state['alerts'];
  if (typeof alerts !== 'object' || alerts === null) throw invalid('alerts must be an object');
  for (const [key, alertState] of Object.entries(alerts))
    if (!isAlertState(alertState)) throw invalid(`alerts[${JSON.stringify(key)}] is malformed`);
  const accounting = readAccounting(state['accounting']);
  if (accounting === undefined) throw invalid('accounting is malformed');
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    topic: expected.topic,
    partition: expected.partition,
    nextOffset: nextOffset as number,
    aggregator: state['aggregator'] as PartitionSnapshot<ReadingMeta>,
    alerts: alerts as Record<string, InstrumentAlertState>,
    accounting,
  };
}
