import {
  isAlertingError,
  readPipelineClock,
  readRateState,
  readSilenceState,
  type InstrumentAlertState,
  type PipelineClock,
} from '@geostream/alerting';
import type { InstrumentAlarmState } from './instrument-alarms';
import type { KeySnapshot, PartitionSnapshot } from '@geostream/windowed-aggregator';
import { readAccounting, type Accounting } from './accounting';
import {
  decodeInstrumentRow,
  RowDecodeError,
  type InstrumentCheckpointRow,
  type UncheckedRowParts,
} from './checkpoint-codec';
import type { ReadingMeta } from './reading-meta';
import { readDeliveryFloor, type DeliveryFloorState } from './delivery-floor';
import { readLevelChanges } from './level-changes';
import type { TriggerLevelChange } from '@geostream/instrument-schemas';

export const CHECKPOINT_FORMAT = 'geostream.stream-processor.partition';
/**
 * 4: as 3, and the partition row holds the trigger-level changes in force (`levelChanges`): a
 * release that knows nothing of them refuses it, rather than resume judging on the file's levels
 * and write a checkpoint without them. 3: incremental, instrument rows in the compact form (see
 * checkpoint-codec). 2: incremental (the partition row plus one row per instrument, rewritten
 * only when it changed), instrument rows with field names. 1: the whole state in the partition
 * row. 1 to 3 are still read; the next checkpoint rewrites every instrument of 1 and 2 (3's
 * rows are 4's).
 */
export const CHECKPOINT_VERSION = 4;

/**
 * The partition's own part of a checkpoint: where to resume, the aggregator's partition-level
 * state (its snapshot without keys: the log's clock, counters) and the accounting. Stored in
 * PostgreSQL (processor_checkpoint.state) with the rows of the instruments that changed since
 * the last checkpoint, in one transaction, after every output it covers: (nextOffset, state) is
 * always a consistent restart point.
 */
export interface PartitionCheckpointHeader {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly topic: string;
  readonly partition: number;
  /** The Kafka offset to resume from: every record before it is reflected in this state. */
  readonly nextOffset: number;
  /** The aggregator's partition snapshot with `keys` empty: they are the instrument rows. */
  readonly aggregator: PartitionSnapshot<ReadingMeta>;
  /** The pipeline clock silence is judged on (see @geostream/alerting). */
  readonly pipelineClock: PipelineClock;
  /**
   * How fresh the partition's readings reach the log (clock health); null before any. Absent
   * from checkpoints written before it existed: read as null.
   */
  readonly deliveryFloor: DeliveryFloorState | null;
  /**
   * The latest trigger-level change of each scope read from the log so far (see
   * level-changes). Absent from checkpoints written before level changes existed: read as none.
   */
  readonly levelChanges: readonly TriggerLevelChange[];
  /** Cumulative accounting since the consumer group started. */
  readonly accounting: Accounting;
}

/** One instrument's part: its aggregator state (open windows, its clock) and its alert state. */
export interface InstrumentCheckpointState {
  /** Null once the aggregator has forgotten the instrument (silent past its retention). */
  readonly aggregator: KeySnapshot<ReadingMeta> | null;
  /** Null while the instrument is at no level and nothing is pending. */
  readonly alert: InstrumentAlertState | null;
  /** Rate of change, silence and clock-skew states; null when it has none. */
  readonly alarms: InstrumentAlarmState | null;
}

/** What one checkpoint writes: the header, and the instrument rows that changed or went. */
export interface PartitionCheckpointWrite {
  readonly header: PartitionCheckpointHeader;
  readonly upserts: readonly { readonly key: string; readonly state: InstrumentCheckpointRow }[];
  readonly deletes: readonly string[];
}

/** A checkpoint as read back from PostgreSQL: the partition row and every instrument row. */
export interface StoredPartitionCheckpoint {
  readonly state: unknown;
  readonly instruments: readonly { readonly key: string; readonly state: unknown }[];
}

/** A checkpoint read back, checked, whole: what a processor restores from. */
export interface RestoredCheckpoint {
  readonly nextOffset: number;
  /** The aggregator's whole partition snapshot (its keys from the instrument rows). */
  readonly aggregator: unknown;
  readonly alerts: ReadonlyMap<string, InstrumentAlertState>;
  readonly pipelineClock: PipelineClock | null;
  readonly deliveryFloor: DeliveryFloorState | null;
  readonly levelChanges: readonly TriggerLevelChange[];
  readonly alarms: ReadonlyMap<string, InstrumentAlarmState>;
  readonly accounting: Accounting;
  /** Read from an older format: the next checkpoint must write every instrument anew. */
  readonly migrated: boolean;
  /** The instruments that had a row (version 1: an alert state): what a migration rewrites. */
  readonly rowKeys: readonly string[];
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a checkpoint read from PostgreSQL and puts it together (the aggregator validates its
 * own snapshot when restored). Reads format version 1 too (the whole state in the partition
 * row), marking it `migrated`.
 * @throws CheckpointError
 */
export function readCheckpoint(
  stored: StoredPartitionCheckpoint,
  expected: { readonly topic: string; readonly partition: number },
): RestoredCheckpoint {
  const value = stored.state;
  if (!isObject(value)) throw invalid('not an object');
  if (value['format'] !== CHECKPOINT_FORMAT) throw invalid(`format is not ${CHECKPOINT_FORMAT}`);
  const version = value['version'];
  if (version !== CHECKPOINT_VERSION && version !== 3 && version !== 2 && version !== 1)
    throw invalid(
      `version ${String(version)} is not ${CHECKPOINT_VERSION} (nor 3, 2 or 1, which are read): ` +
        'written by a newer release? Run that release, or reprocess into a new consumer group',
    );
  if (value['topic'] !== expected.topic || value['partition'] !== expected.partition)
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `Checkpoint of ${String(value['topic'])}/${String(value['partition'])} cannot restore ${expected.topic}/${expected.partition}`,
      { expected, found: { topic: value['topic'], partition: value['partition'] } },
    );
  const nextOffset = value['nextOffset'];
  if (!Number.isSafeInteger(nextOffset) || (nextOffset as number) < 0)
    throw invalid('nextOffset must be a non-negative integer');
  const accounting = readAccounting(value['accounting']);
  if (accounting === undefined) throw invalid('accounting is malformed');
  const aggregator = value['aggregator'];
  if (!isObject(aggregator)) throw invalid('aggregator must be an object');

  if (version === 1) {
    // Version 1: the aggregator's whole snapshot (its own version 1) and every alert state.
    const alerts = value['alerts'];
    if (!isObject(alerts)) throw invalid('alerts must be an object');
    for (const [key, state] of Object.entries(alerts))
      if (!isAlertState(state)) throw invalid(`alerts[${JSON.stringify(key)}] is malformed`);
    return {
      nextOffset: nextOffset as number,
      aggregator,
      alerts: new Map(Object.entries(alerts as Record<string, InstrumentAlertState>)),
      pipelineClock: null,
      deliveryFloor: null,
      levelChanges: [],
      alarms: new Map(),
      accounting,
      migrated: true,
      rowKeys: Object.keys(alerts),
    };
  }

  const pipelineClock = readAlarmPart('pipelineClock', () =>
    readPipelineClock(value['pipelineClock']),
  );
  const deliveryFloor = readDeliveryFloor(value['deliveryFloor']);
  if (deliveryFloor === undefined)
    throw invalid('deliveryFloor must be null or { delayMs, logTimeMs } in whole milliseconds');
  const levelChanges = readLevelChanges(value['levelChanges']);
  if (levelChanges === undefined)
    throw invalid('levelChanges must be a list of valid trigger-level changes');
  const keys: KeySnapshot<ReadingMeta>[] = [];
  const alerts = new Map<string, InstrumentAlertState>();
  const alarms = new Map<string, InstrumentAlarmState>();
  for (const row of stored.instruments) {
    const { aggregator: keyState, alert, alarms: alarmState } = rowParts(row, version);
    if (alarmState !== null && alarmState !== undefined)
      alarms.set(row.key, readAlarmState(row.key, alarmState));
    if (keyState !== null) {
      if (!isObject(keyState) || keyState['key'] !== row.key)
        throw invalid(`instrument ${JSON.stringify(row.key)}: its aggregator state is malformed`);
      keys.push(keyState as unknown as KeySnapshot<ReadingMeta>);
    }
    if (alert !== null) {
      if (!isAlertState(alert))
        throw invalid(`instrument ${JSON.stringify(row.key)}: its alert state is malformed`);
      alerts.set(row.key, alert);
    }
  }
  // PostgreSQL sorts text keys by code point ("C"), the aggregator by UTF-16 unit: they differ
  // only past U+FFFF, so sort here rather than trust the query's order.
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    nextOffset: nextOffset as number,
    aggregator: { ...aggregator, keys },
    alerts,
    pipelineClock,
    deliveryFloor,
    levelChanges,
    alarms,
    accounting,
    // Rows of 1 and 2 are rewritten in the compact form; 3's are already.
    migrated: version === 2,
    rowKeys: stored.instruments.map((row) => row.key),
  };
}

/** An instrument row's parts, unchecked: compact (version 3) or named (version 2). */
function rowParts(
  row: StoredPartitionCheckpoint['instruments'][number],
  version: number,
): UncheckedRowParts {
  const what = `instrument ${JSON.stringify(row.key)}`;
  if (version === CHECKPOINT_VERSION || version === 3) {
    try {
      return decodeInstrumentRow(row.key, row.state);
    } catch (error) {
      if (!(error instanceof RowDecodeError)) throw error;
      throw new CheckpointError(
        'CHECKPOINT_INVALID',
        `Invalid checkpoint: ${what}: ${error.message}`,
        {},
        error,
      );
    }
  }
  const state = row.state;
  if (!isObject(state)) throw invalid(`${what} is not an object`);
  return { aggregator: state['aggregator'], alert: state['alert'], alarms: state['alarms'] };
}

/** An instrument's rate, silence and clock-skew states, checked. */
function readAlarmState(key: string, value: unknown): InstrumentAlarmState {
  if (!isObject(value)) throw invalid(`instrument ${JSON.stringify(key)}: alarms is not an object`);
  const clock = value['clock'];
  if (clock !== null && clock !== 'ahead' && clock !== 'behind')
    throw invalid(
      `instrument ${JSON.stringify(key)}: alarms.clock must be null, 'ahead' or 'behind'`,
    );
  return readAlarmPart(`instrument ${JSON.stringify(key)}`, () => ({
    rate: value['rate'] === null ? null : readRateState(value['rate']),
    silence: value['silence'] === null ? null : readSilenceState(value['silence']),
    clock,
  }));
}

/** Runs an alerting reader, turning its refusal into CHECKPOINT_INVALID. */
function readAlarmPart<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!isAlertingError(error)) throw error;
    throw new CheckpointError(
      'CHECKPOINT_INVALID',
      `Invalid checkpoint: ${what}: ${error.message}`,
      {},
      error,
    );
  }
}
