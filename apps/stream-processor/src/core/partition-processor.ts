import {
  evaluateWindow,
  type AlertingOptions,
  type InstrumentAlertState,
} from '@geostream/alerting';
import { InstrumentAlarms, type AlarmRules } from './instrument-alarms';
import {
  buildDeadLetter,
  deadLetterForProblem,
  decodeRawMessage,
  instrumentKey,
  type AlarmEvent,
  type DeadLetter,
  type DeadLetterSource,
  type DecodedRawMessage,
  type InstrumentClock,
  type MessageProblem,
  type Reading,
  type SiteConfig,
  type TriggerLevelChange,
  type WindowRecord,
} from '@geostream/instrument-schemas';
import {
  createWindowedAggregator,
  isWindowingError,
  type ClosedWindow,
  type KeyArrival,
  type LateRecord,
  type OverflowPolicy,
  type WindowedAggregator,
  type WindowSpec,
} from '@geostream/windowed-aggregator';
import { addAccounting, emptyAccounting, type Accounting } from './accounting';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  readCheckpoint,
  type InstrumentCheckpointState,
  type PartitionCheckpointWrite,
  type RestoredCheckpoint,
  type StoredPartitionCheckpoint,
} from './checkpoint-state';
import { encodeInstrumentRow, type InstrumentCheckpointRow } from './checkpoint-codec';
import { clockOf } from './clock-health';
import { DeliveryFloor } from './delivery-floor';
import { deadLetterTimeOf, type RawMessage } from './raw-message';
import { isReadingMeta, itemOf, offsetOf, readingMeta, type ReadingMeta } from './reading-meta';
import { controlKindOf, PartitionLevels, readControlRecord } from './level-changes';
import { windowRecordOf } from './window-records';

export interface PartitionProcessorOptions {
  /** The raw topic and partition: source coordinates of dead letters, and a checkpoint check. */
  readonly topic: string;
  readonly partition: number;
  readonly spec: WindowSpec;
  /**
   * The site's trigger levels (SITE_CONFIG_FILE; undefined: the library's), under the admins'
   * changes read from the log (see level-changes).
   */
  readonly siteConfig: SiteConfig | undefined;
  readonly alerting?: AlertingOptions;
  /** Larger messages are dead-lettered unread (payload_too_large). */
  readonly maxMessageBytes?: number;
  readonly maxOpenWindows?: number;
  readonly onOverflow?: OverflowPolicy;
  /**
   * A reading timestamped further than this after its record's Kafka timestamp (a logger with
   * a wrong clock or zone) is dead-lettered as invalid_timestamp instead of dragging the
   * partition's watermark into the future, which would make every later reading late.
   * Undefined: no limit.
   */
  readonly maxEventTimeAheadMs?: number;
  /** An instrument whose clock is off by more than this either way is reported. Default 5 min. */
  readonly clockToleranceMs?: number;
  /** The aggregator's keyRetentionMs and maxQuietWaitMs. */
  readonly keyRetentionMs?: number;
  readonly maxQuietWaitMs?: number;
  /**
   * Rate-of-change and silence rules per instrument (from the site configuration); absent:
   * neither is judged. Clock-skew alarms follow clockToleranceMs.
   */
  readonly alarmRules?: AlarmRules;
  /** The pipeline clock's longest step per record, for silence (see @geostream/alerting). */
  readonly maxLogStepMs?: number;
}

const NO_ALARM_RULES: AlarmRules = {
  rateRule: () => undefined,
  silenceRule: () => undefined,
};

export const DEFAULT_CLOCK_TOLERANCE_MS = 300_000;

/** What one call produced, in emission order. */
export interface ProcessorOutputs {
  /** Closed windows with their trigger level, in close order. */
  readonly windows: WindowRecord[];
  /** Where each window's latest reading sits in the raw log (parallel to `windows`). */
  readonly windowOrigins: WindowOrigin[];
  /** The instrument's clock as judged when each window closed (parallel to `windows`). */
  readonly windowClocks: InstrumentClock[];
  /** Alarm raises and clears of every condition, in the order they were decided. */
  readonly alerts: AlarmEvent[];
  /** Rejected and late readings, in log order. */
  readonly deadLetters: DeadLetter[];
  /** Trigger-level changes applied, in log order (each from then on, for this partition). */
  readonly levelChanges: TriggerLevelChange[];
  /** This call's accounting only. */
  readonly accounting: Accounting;
  /** Records below the partition's next offset, skipped as already processed. */
  readonly skipped: number;
}

/** The raw-log position of a window's latest reading: a rejected window's source coordinates. */
export interface WindowOrigin {
  readonly offset: number;
  readonly item: number | null;
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * The whole processing of one input partition, as a deterministic state machine: messages in,
 * windows, alerts and dead letters out. Synchronous, no I/O, no clock: the output depends only
 * on the state and the messages, so replaying the log from a checkpoint reproduces exactly
 * what the run that wrote the checkpoint produced, whatever the batch boundaries were.
 *
 * Readings get a per-partition sequence number as their aggregator offset, since one Kafka
 * offset may hold a whole envelope of them; the Kafka position is kept apart (`nextOffset`).
 * Each reading's log time is its record's Kafka timestamp: the log's clock, which closes the
 * windows of instruments gone quiet (see @geostream/windowed-aggregator, "Quiet keys").
 */
export class PartitionProcessor {
  readonly topic: string;
  readonly partition: number;
  private readonly aggregator: WindowedAggregator<ReadingMeta>;
  private readonly alertStates: Map<string, InstrumentAlertState>;
  private readonly alarms: InstrumentAlarms;
  /** Rows of a checkpoint of an older format, for the next checkpoint to write anew. */
  private readonly rowsToRewrite = new Set<string>();
  /** Instruments whose clock is currently judged off, by direction (not checkpointed: derived). */
  private readonly skewedClockMap = new Map<string, 'ahead' | 'behind'>();
  private readonly totals: Accounting;
  private readonly clockToleranceMs: number;
  private readonly deliveryFloor: DeliveryFloor;
  private readonly levels: PartitionLevels;
  private offset: number;
  private sequence: number;
  private readonly decodeOptions: { maxBytes?: number };

  private constructor(
    private readonly options: PartitionProcessorOptions,
    restored?: RestoredCheckpoint,
  ) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.clockToleranceMs = options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
    this.decodeOptions =
      options.maxMessageBytes === undefined ? {} : { maxBytes: options.maxMessageBytes };
    this.aggregator = createWindowedAggregator<ReadingMeta>({
      spec: options.spec,
      isMeta: isReadingMeta,
      ...(options.maxOpenWindows !== undefined && {
        maxOpenWindowsPerPartition: options.maxOpenWindows,
      }),
      ...(options.onOverflow !== undefined && { onOverflow: options.onOverflow }),
      ...(options.keyRetentionMs !== undefined && { keyRetentionMs: options.keyRetentionMs }),
      ...(options.maxQuietWaitMs !== undefined && { maxQuietWaitMs: options.maxQuietWaitMs }),
    });
    this.alertStates = new Map(restored?.alerts ?? []);
    this.deliveryFloor = new DeliveryFloor(restored?.deliveryFloor ?? null);
    this.levels = new PartitionLevels(options.siteConfig, restored?.levelChanges);
    this.alarms = new InstrumentAlarms(
      {
        ...(options.alarmRules ?? NO_ALARM_RULES),
        ...(options.alerting !== undefined && { alerting: options.alerting }),
        clockToleranceMs: this.clockToleranceMs,
        ...(options.maxLogStepMs !== undefined && { maxLogStepMs: options.maxLogStepMs }),
      },
      restored === undefined
        ? undefined
        : { clock: restored.pipelineClock, instruments: restored.alarms },
    );
    this.totals = emptyAccounting();
    if (restored !== undefined) {
      this.restoreAggregator(restored);
      addAccounting(this.totals, restored.accounting);
      // An older format's rows (version 1: the alert states, of instruments the aggregator may
      // have forgotten too) are all written anew, in this format, by the next checkpoint.
      if (restored.migrated) for (const key of restored.rowKeys) this.rowsToRewrite.add(key);
    }
    this.offset = restored?.nextOffset ?? 0;
    this.sequence = this.aggregator.partitionStats(this.partition).nextOffset ?? 0;
  }

  /** A partition never processed before, starting at `startOffset` (the log's first offset). */
  static fresh(options: PartitionProcessorOptions, startOffset = 0): PartitionProcessor {
    const processor = new PartitionProcessor(options);
    processor.offset = startOffset;
    return processor;
  }

  /**
   * A partition restored from a checkpoint as read back from PostgreSQL (plain JSON: the
   * partition row and its instrument rows).
   * @throws CheckpointError CHECKPOINT_INVALID | CHECKPOINT_MISMATCH | CHECKPOINT_INCOMPATIBLE
   */
  static restore(
    options: PartitionProcessorOptions,
    stored: StoredPartitionCheckpoint,
  ): PartitionProcessor {
    return new PartitionProcessor(options, readCheckpoint(stored, options));
  }

  /** The Kafka offset processing resumes from. */
  get nextOffset(): number {
    return this.offset;
  }

  /** Cumulative accounting, restored from checkpoints across restarts. */
  get accounting(): Readonly<Accounting> {
    return this.totals;
  }

  get openWindows(): number {
    return this.aggregator.partitionStats(this.partition).openWindows;
  }

  /** The earliest processor-clock time an idle advance could close anything; undefined: none. */
  get nextQuietCheckMs(): number | undefined {
    return this.aggregator.nextQuietCheckMs(this.partition);
  }

  /** Instruments whose clock is currently judged off, by direction (as windows close). */
  get skewedClocks(): { readonly ahead: number; readonly behind: number } {
    let ahead = 0;
    for (const direction of this.skewedClockMap.values()) if (direction === 'ahead') ahead++;
    return { ahead, behind: this.skewedClockMap.size - ahead };
  }

  /**
   * Processes messages in log order. Records below nextOffset were processed before and are
   * skipped. `endOffset` is where the batch ends in the log (kafkajs's lastOffset + 1), which may
   * lie past the last message when the batch ended in transaction markers.
   */
  processBatch(messages: readonly RawMessage[], endOffset?: number): ProcessorOutputs {
    const out = new OutputCollector();
    let skipped = 0;
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset < this.offset) {
        skipped++;
        continue;
      }
      this.offset = offset + 1;
      this.processMessage(message, offset, out);
    }
    if (endOffset !== undefined && endOffset > this.offset) this.offset = endOffset;
    return this.finish(out, skipped);
  }

  /**
   * Moves the partition's log clock to `logTimeMs`, as if a record of that time had come: the
   * windows of instruments gone quiet by then close. For a partition that receives nothing at
   * all (the processor's clock says how long): the one decision taken outside the log, so the
   * caller checkpoints right after it, and a replay starts after it and never repeats it.
   */
  advanceLogTime(logTimeMs: number): ProcessorOutputs {
    const out = new OutputCollector();
    const closed = this.aggregator.advanceLogTime(this.partition, logTimeMs);
    if (closed.length > 0) out.accounting.flushes++;
    for (const window of closed) this.emitWindow(window, out);
    return this.finish(out, 0);
  }

  /**
   * What a checkpoint writes now: the partition row, and the rows of the instruments changed
   * (or forgotten) since the last call. Call it only for a checkpoint that will be written:
   * the changes it hands out are not handed out again.
   */
  checkpoint(): PartitionCheckpointWrite {
    const changes = this.aggregator.takeChanges(this.partition);
    const upserts: { key: string; state: InstrumentCheckpointRow }[] = [];
    const deletes: string[] = [];
    const written = new Set<string>();
    const rowOf = (key: string, aggregator: InstrumentCheckpointState['aggregator']) => ({
      aggregator,
      alert: this.alertStates.get(key) ?? null,
      alarms: this.alarms.stateOf(key),
    });
    for (const keySnapshot of changes.changed) {
      upserts.push({
        key: keySnapshot.key,
        state: encodeInstrumentRow(rowOf(keySnapshot.key, keySnapshot)),
      });
      written.add(keySnapshot.key);
    }
    // Level alert states only change when a window of the instrument closes, which the
    // aggregator counts as a change; the other alarms also on a silence found by the pipeline
    // clock. Besides, instruments the aggregator forgot, and migrated ones.
    // A forgotten instrument's clock is no longer judged: it leaves the skew gauge.
    for (const key of changes.forgotten) this.skewedClockMap.delete(key);
    const others = new Set([
      ...changes.forgotten,
      ...this.rowsToRewrite,
      ...this.alarms.takeChanged(),
    ]);
    this.rowsToRewrite.clear();
    for (const key of [...others].sort()) {
      if (written.has(key)) continue;
      const row = rowOf(key, this.aggregator.snapshotKey(this.partition, key) ?? null);
      if (row.aggregator === null && row.alert === null && row.alarms === null) deletes.push(key);
      else upserts.push({ key, state: encodeInstrumentRow(row) });
    }
    return {
      header: {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        topic: this.topic,
        partition: this.partition,
        nextOffset: this.offset,
        aggregator: changes.header,
        pipelineClock: this.alarms.pipelineClock,
        deliveryFloor: this.deliveryFloor.state,
        levelChanges: this.levels.state,
        accounting: structuredClone(this.totals),
      },
      upserts,
      deletes,
    };
  }

  private finish(out: OutputCollector, skipped: number): ProcessorOutputs {
    out.accounting.alerts += out.alerts.length;
    addAccounting(this.totals, out.accounting);
    return {
      windows: out.windows,
      windowOrigins: out.windowOrigins,
      windowClocks: out.windowClocks,
      alerts: out.alerts,
      deadLetters: out.deadLetters,
      levelChanges: out.levelChanges,
      accounting: out.accounting,
      skipped,
    };
  }

  private restoreAggregator(state: RestoredCheckpoint): void {
    try {
      this.aggregator.restorePartition(this.partition, state.aggregator);
    } catch (error) {
      if (isWindowingError(error, 'SNAPSHOT_SPEC_MISMATCH'))
        throw new CheckpointError(
          'CHECKPOINT_INCOMPATIBLE',
          `The checkpoint of ${this.topic}/${this.partition} was written with other window ` +
            'settings. Reprocess into a new consumer group and versioned outputs instead ' +
            '(see the README, "Reprocessing").',
          { topic: this.topic, partition: this.partition },
          error,
        );
      throw new CheckpointError(
        'CHECKPOINT_INVALID',
        `The aggregator state in the checkpoint of ${this.topic}/${this.partition} is invalid: ${
          error instanceof Error ? error.message : String(error)
        }`,
        { topic: this.topic, partition: this.partition },
        error,
      );
    }
  }

  private processMessage(message: RawMessage, offset: number, out: OutputCollector): void {
    const bytes = message.value ?? EMPTY_BYTES;
    const control = controlKindOf(message);
    if (control !== undefined) {
      this.processControl(message, control, bytes, out);
      return;
    }
    const decoded = decodeRawMessage(bytes, this.decodeOptions);
    const accounting = out.accounting;
    accounting.messages++;
    accounting.readings += decoded.readings.length + decoded.problems.length;
    const context = new MessageContext(
      this.topic,
      this.partition,
      message,
      bytes,
      decoded,
      this.options.maxEventTimeAheadMs,
    );
    const logTimeMs = context.deadLetteredAtMs > 0 ? context.deadLetteredAtMs : undefined;
    if (logTimeMs !== undefined) this.alarms.onRecord(logTimeMs, out.alerts);
    for (const problem of decoded.problems) {
      out.deadLetters.push(
        deadLetterForProblem({
          source: context.source,
          messageBytes: bytes,
          problem,
          deadLetteredAtMs: context.deadLetteredAtMs,
        }),
      );
      countDeadLetter(accounting, problem.code);
    }
    const readings = decoded.readings;
    if (readings.length === 0) return;
    if (!decoded.envelope) {
      for (const reading of readings)
        this.processReading(reading, offset, null, logTimeMs, context, out);
      return;
    }
    // An envelope: each valid reading is the next item not rejected.
    const rejected = rejectedItems(decoded.problems);
    let item = 0;
    for (const reading of readings) {
      while (rejected.has(item)) item++;
      this.processReading(reading, offset, item++, logTimeMs, context, out);
    }
  }

  /**
   * A level change applies to every window this partition closes after it; one that cannot be
   * read is dead-lettered like a bad reading (it counts as one), never taken for a reading.
   */
  private processControl(
    message: RawMessage,
    kind: string,
    bytes: Uint8Array,
    out: OutputCollector,
  ): void {
    out.accounting.messages++;
    const record = readControlRecord(kind, bytes);
    if (record.ok) {
      if (this.levels.apply(record.change)) out.levelChanges.push(record.change);
      return;
    }
    out.accounting.readings++;
    out.deadLetters.push(
      deadLetterForProblem({
        source: {
          topic: this.topic,
          partition: this.partition,
          offset: message.offset,
          key: message.key,
        },
        messageBytes: bytes,
        problem: record.problem,
        deadLetteredAtMs: deadLetterTimeOf(message),
      }),
    );
    countDeadLetter(out.accounting, record.problem.code);
  }

  private processReading(
    reading: Reading,
    offset: number,
    item: number | null,
    logTimeMs: number | undefined,
    context: MessageContext,
    out: OutputCollector,
  ): void {
    if (reading.timestampMs > context.aheadBoundMs) {
      out.deadLetters.push(aheadDeadLetter(reading, context.deadLetteredAtMs, item, context));
      countDeadLetter(out.accounting, 'invalid_timestamp');
      return;
    }
    if (logTimeMs !== undefined) this.deliveryFloor.observe(logTimeMs, reading.timestampMs);
    const key = instrumentKey(reading.instrument, reading.borehole_number);
    const result = this.aggregator.add({
      key,
      partition: this.partition,
      offset: this.sequence++,
      eventTimeMs: reading.timestampMs,
      value: reading.reading,
      meta: readingMeta(reading, offset, item),
      ...(logTimeMs !== undefined && { logTimeMs }),
    });
    for (const window of result.closed) this.emitWindow(window, out);

    const accounting = out.accounting;
    if (result.duplicate) {
      accounting.duplicates++;
      return;
    }
    const late = result.late;
    if (result.aggregated) {
      accounting.counted++;
      this.alarms.onDelivery(key, out.alerts);
      // Hopping windows: it went into its open windows and only missed older ones.
      if (late !== undefined) accounting.partiallyLate++;
      return;
    }
    if (late === undefined)
      throw new Error(`Broken invariant: a reading neither aggregated, duplicate nor late`);
    out.deadLetters.push(lateDeadLetter(late, reading, item, context));
    countDeadLetter(accounting, 'late');
    const arrival = this.aggregator.arrivalOf(this.partition, key);
    if (arrival !== null) this.alarms.onClock(key, this.judge(key, arrival), out.alerts);
  }

  /**
   * The instrument's clock from its arrival model, kept for the skew gauge. Late delivery reads
   * as a clock behind only while the partition delivers live: during a catch-up every
   * instrument is late, and none is newly judged behind (one already behind stays so).
   */
  private judge(key: string, arrival: KeyArrival | null): InstrumentClock {
    const judged = clockOf(arrival, this.clockToleranceMs);
    const clock =
      judged.status === 'behind' &&
      !this.deliveryFloor.isLive(this.clockToleranceMs) &&
      this.alarms.clockStatusOf(key) !== 'behind'
        ? { status: 'ok' as const, offsetMs: judged.offsetMs }
        : judged;
    if (clock.status === 'ok') this.skewedClockMap.delete(key);
    else this.skewedClockMap.set(key, clock.status);
    return clock;
  }

  private emitWindow(window: ClosedWindow<ReadingMeta>, out: OutputCollector): void {
    const record = windowRecordOf(window);
    const levels = this.levels.resolve(
      record.instrument,
      record.borehole_number,
      record.surface_level,
    );
    const evaluation = evaluateWindow(
      this.alertStates.get(window.key),
      record,
      levels,
      this.options.alerting,
    );
    // Quiet instruments are forgotten: evaluating a newer window from no state gives the same
    // result (the aggregator emits each instrument's windows once, oldest first), and the
    // checkpoint then holds only the instruments at some level, not every instrument seen.
    if (isQuiet(evaluation.state)) this.alertStates.delete(window.key);
    else this.alertStates.set(window.key, evaluation.state);
    const clock = this.judge(window.key, window.arrival);
    out.windows.push(evaluation.window);
    out.windowOrigins.push({
      offset: offsetOf(window.latestMeta),
      item: itemOf(window.latestMeta),
    });
    out.windowClocks.push(clock);
    out.accounting.windows++;
    for (const alert of evaluation.alerts) out.alerts.push(alert);
    this.alarms.onWindow(window.key, evaluation.window, clock, out.alerts);
  }
}

class OutputCollector {
  readonly windows: WindowRecord[] = [];
  readonly windowOrigins: WindowOrigin[] = [];
  readonly windowClocks: InstrumentClock[] = [];
  readonly alerts: AlarmEvent[] = [];
  readonly deadLetters: DeadLetter[] = [];
  readonly levelChanges: TriggerLevelChange[] = [];
  readonly accounting: Accounting = emptyAccounting();
}

/** Where a message came from; built per message, its parts only when a dead letter needs them. */
class MessageContext {
  private sourceValue: DeadLetterSource | undefined;
  /** The record's Kafka timestamp, 0 when it has none: dead letters' time, the ahead check's base. */
  readonly deadLetteredAtMs: number;
  /**
   * Readings timestamped after this are too far ahead of their record (maxEventTimeAheadMs);
   * Infinity when there is no limit or the record has no timestamp.
   */
  readonly aheadBoundMs: number;

  constructor(
    private readonly topic: string,
    private readonly partition: number,
    readonly message: RawMessage,
    readonly bytes: Uint8Array,
    readonly decoded: DecodedRawMessage<Reading>,
    maxEventTimeAheadMs: number | undefined,
  ) {
    this.deadLetteredAtMs = deadLetterTimeOf(message);
    this.aheadBoundMs =
      maxEventTimeAheadMs === undefined || this.deadLetteredAtMs <= 0
        ? Infinity
        : this.deadLetteredAtMs + maxEventTimeAheadMs;
  }

  get source(): DeadLetterSource {
    return (this.sourceValue ??= {
      topic: this.topic,
      partition: this.partition,
      offset: this.message.offset,
      key: this.message.key,
    });
  }
}

function isQuiet(state: InstrumentAlertState): boolean {
  return (
    state.rising.level === 'none' &&
    state.rising.pending_level === null &&
    state.falling.level === 'none' &&
    state.falling.pending_level === null
  );
}

function countDeadLetter(accounting: Accounting, reason: DeadLetter['reason']): void {
  accounting.deadLettered[reason] = (accounting.deadLettered[reason] ?? 0) + 1;
}

/** The envelope items that were rejected: the valid readings are the others, in order. */
function rejectedItems(problems: readonly MessageProblem[]): Set<number> {
  const rejected = new Set<number>();
  for (const problem of problems)
    if (problem.itemIndex !== undefined) rejected.add(problem.itemIndex);
  return rejected;
}

/** The reading's own bytes: the message, or its envelope item's exact text. */
function readingBytes(item: number | null, context: MessageContext): Uint8Array | string {
  if (item === null) return context.bytes;
  return context.decoded.itemText(item) ?? context.bytes;
}

function aheadDeadLetter(
  reading: Reading,
  loggedAtMs: number,
  item: number | null,
  context: MessageContext,
): DeadLetter {
  const aheadMinutes = Math.round((reading.timestampMs - loggedAtMs) / 60_000);
  return buildDeadLetter({
    source: context.source,
    payload: readingBytes(item, context),
    reason: 'invalid_timestamp',
    message:
      `the reading's timestamp ${reading.timestamp} is ${aheadMinutes} min after its record was ` +
      `written to Kafka (${new Date(loggedAtMs).toISOString()}): a clock or time zone is wrong`,
    path: item === null ? 'timestamp' : `items[${item}].timestamp`,
    ...(item !== null && { itemIndex: item }),
    deadLetteredAtMs: loggedAtMs,
  });
}

function lateDeadLetter(
  late: LateRecord<ReadingMeta>,
  reading: Reading,
  item: number | null,
  context: MessageContext,
): DeadLetter {
  const payload = readingBytes(item, context);
  const missed = late.windows
    .map((w) => `[${new Date(w.startMs).toISOString()}, ${new Date(w.endMs).toISOString()})`)
    .join(', ');
  return buildDeadLetter({
    source: context.source,
    payload,
    reason: 'late',
    message:
      `the reading at ${reading.timestamp} of ${reading.instrument} ${reading.borehole_number} ` +
      `belongs to window ${missed}, already emitted (${late.reason})`,
    path: item === null ? '' : `items[${item}]`,
    ...(item !== null && { itemIndex: item }),
    deadLetteredAtMs: context.deadLetteredAtMs,
  });
}
