import {
  advancePipelineClock,
  canForgetRateState,
  checkSilence,
  clockSkewAlarmEvent,
  evaluateRate,
  initialPipelineClock,
  recordDelivery,
  silentAt,
  type AlertingOptions,
  type PipelineClock,
  type RateRule,
  type RateState,
  type InstrumentRef,
  type SilenceRule,
  type SilenceState,
  type SilenceStep,
} from '@geostream/alerting';
import type {
  AlarmEvent,
  InstrumentClock,
  InstrumentType,
  WindowRecord,
} from '@geostream/instrument-schemas';
import { TimerQueue } from './timer-queue';
import { identityOfKey } from './window-records';

/** The rules of one instrument, from the site configuration (deterministic, memoised). */
export interface AlarmRules {
  readonly rateRule: (instrument: InstrumentType, boreholeNumber: string) => RateRule | undefined;
  readonly silenceRule: (
    instrument: InstrumentType,
    boreholeNumber: string,
  ) => SilenceRule | undefined;
}

export interface InstrumentAlarmsOptions extends AlarmRules {
  readonly alerting?: AlertingOptions;
  /** The clock tolerance clock_skew alarms are raised beyond (the processor's). */
  readonly clockToleranceMs: number;
  /** The pipeline clock's longest step per record (see @geostream/alerting, silence). */
  readonly maxLogStepMs?: number;
}

/** One instrument's alarm states beyond trigger levels, as its checkpoint row holds them. */
export interface InstrumentAlarmState {
  readonly rate: RateState | null;
  readonly silence: SilenceState | null;
  /** The clock status last raised ('ahead'/'behind'), null while 'ok'. */
  readonly clock: 'ahead' | 'behind' | null;
}

/** An instrument's silence state; its identity and rule fixed for the life of the process. */
interface TrackedSilence {
  readonly ref: InstrumentRef;
  readonly rule: SilenceRule | undefined;
  state: SilenceState;
}

/**
 * The alarms of a partition's instruments beyond trigger levels, as a deterministic state
 * machine: rates of change from their windows, silence from the partition's pipeline clock (the
 * records' Kafka times, never the wall clock: when the pipeline is behind or the producer is
 * down, nothing goes silent), and clock skew from the clock judged at each window. Events come
 * out in the order they are decided; ids derive from the log, so a replay repeats them exactly.
 */
export class InstrumentAlarms {
  private clock: PipelineClock;
  private readonly rates = new Map<string, RateState>();
  /** Silence per instrument, with its identity and rule looked up once (asked per reading). */
  private readonly silences = new Map<string, TrackedSilence>();
  private readonly clocks = new Map<string, 'ahead' | 'behind'>();
  /** Instruments due to go silent, by running time (lazy: a stale entry is harmless). */
  private readonly timers = new TimerQueue();
  /** Instruments whose alarm state changed since the last checkpoint. */
  private readonly changed = new Set<string>();

  constructor(
    private readonly options: InstrumentAlarmsOptions,
    restored?: {
      readonly clock: PipelineClock | null;
      readonly instruments: Iterable<readonly [string, InstrumentAlarmState]>;
    },
  ) {
    this.clock = restored?.clock ?? initialPipelineClock();
    for (const [key, state] of restored?.instruments ?? []) {
      if (state.rate !== null) this.rates.set(key, state.rate);
      if (state.clock !== null) this.clocks.set(key, state.clock);
      if (state.silence !== null) {
        const { ref, rule } = this.identify(key);
        const tracked: TrackedSilence = { ref, rule, state: state.silence };
        this.silences.set(key, tracked);
        this.schedule(key, tracked);
      }
    }
  }

  get pipelineClock(): PipelineClock {
    return this.clock;
  }

  /**
   * A record of the partition, at its Kafka timestamp: moves the pipeline clock, and raises
   * no_data for the instruments that went silent by then.
   */
  onRecord(logTimeMs: number, out: AlarmEvent[]): void {
    const before = this.clock;
    this.clock = advancePipelineClock(before, logTimeMs, this.stepOptions());
    if (this.clock === before || this.clock.running_ms === null) return;
    let due: string[] | undefined;
    while ((due = this.timers.takeDue(this.clock.running_ms)) !== undefined)
      for (const key of due) this.checkSilence(key, out);
  }

  /** A reading counted in a window (not a duplicate, not late): the instrument delivered. */
  onDelivery(key: string, out: AlarmEvent[]): void {
    if (this.clock.running_ms === null) return; // no log time: silence cannot be judged
    const tracked = this.silences.get(key);
    if (tracked === undefined) {
      const { ref, rule } = this.identify(key);
      if (rule === undefined) return; // silence is not judged for it
      const step = recordDelivery(undefined, this.clock, rule, ref);
      // A literal, not a spread: its fields sit in the object (a spread adds a property array).
      this.silences.set(key, { ref, rule, state: step.state });
      this.afterStep(key, step, out);
      return;
    }
    const step = recordDelivery(tracked.state, this.clock, tracked.rule, tracked.ref);
    tracked.state = step.state;
    this.afterStep(key, step, out);
  }

  private afterStep(key: string, step: SilenceStep, out: AlarmEvent[]): void {
    if (step.silentAtMs !== undefined) this.timers.add(step.silentAtMs, key);
    this.changed.add(key);
    for (const alert of step.alerts) out.push(alert);
  }

  /** A closed window of the instrument (trigger level set), and its clock as judged then. */
  onWindow(key: string, window: WindowRecord, clock: InstrumentClock, out: AlarmEvent[]): void {
    const rule = this.options.rateRule(window.instrument, window.borehole_number);
    const previous = this.rates.get(key);
    if (rule !== undefined || previous !== undefined) {
      const rate = evaluateRate(previous, window, rule, this.options.alerting);
      if (canForgetRateState(rate.state, Date.parse(window.window_end))) this.rates.delete(key);
      else this.rates.set(key, rate.state);
      this.changed.add(key);
      for (const alert of rate.alerts) out.push(alert);
    }
    this.judgeClock(key, window.instrument, window.borehole_number, clock, out);
  }

  /**
   * The instrument's clock judged outside a window: a reading refused as late (a clock put back
   * right makes its readings late against its own windows for a while) still shows the clock.
   */
  onClock(key: string, clock: InstrumentClock, out: AlarmEvent[]): void {
    const { instrument, borehole_number } = identityOfKey(key);
    this.judgeClock(key, instrument, borehole_number, clock, out);
  }

  /** The instrument's states for its checkpoint row; null when it has none. */
  stateOf(key: string): InstrumentAlarmState | null {
    const rate = this.rates.get(key) ?? null;
    const silence = this.silences.get(key)?.state ?? null;
    const clock = this.clocks.get(key) ?? null;
    return rate === null && silence === null && clock === null ? null : { rate, silence, clock };
  }

  /** The clock status last raised for the instrument ('ok' when none is active). */
  clockStatusOf(key: string): 'ok' | 'ahead' | 'behind' {
    return this.clocks.get(key) ?? 'ok';
  }

  /** The instruments whose state changed since the last call. */
  takeChanged(): string[] {
    const keys = [...this.changed];
    this.changed.clear();
    return keys;
  }

  private judgeClock(
    key: string,
    instrument: InstrumentType,
    boreholeNumber: string,
    clock: InstrumentClock,
    out: AlarmEvent[],
  ): void {
    const was = this.clocks.get(key) ?? 'ok';
    if (clock.status === was) return;
    // Log time: a replay decides at the same record. Without log times nothing is judged.
    const occurredAtMs = this.clock.log_time_ms;
    if (occurredAtMs === null) return;
    const base = {
      instrument,
      borehole_number: boreholeNumber,
      offsetMs: clock.offsetMs,
      limitMs: this.options.clockToleranceMs,
      occurredAtMs,
    };
    // From one side to the other: the old alarm clears, a new one rises.
    if (was !== 'ok')
      out.push(
        clockSkewAlarmEvent({
          ...base,
          kind: 'clear',
          fromLevel: 'alert',
          toLevel: 'none',
          status: 'ok',
        }),
      );
    if (clock.status !== 'ok')
      out.push(
        clockSkewAlarmEvent({
          ...base,
          kind: 'raise',
          fromLevel: 'none',
          toLevel: 'alert',
          status: clock.status,
        }),
      );
    if (clock.status === 'ok') this.clocks.delete(key);
    else this.clocks.set(key, clock.status);
    this.changed.add(key);
  }

  private checkSilence(key: string, out: AlarmEvent[]): void {
    const tracked = this.silences.get(key);
    if (tracked === undefined) return;
    const step = checkSilence(tracked.state, this.clock, tracked.rule, tracked.ref);
    if (step.state !== tracked.state) {
      tracked.state = step.state;
      this.changed.add(key);
    }
    if (step.silentAtMs !== undefined) this.timers.add(step.silentAtMs, key);
    for (const alert of step.alerts) out.push(alert);
  }

  private schedule(key: string, tracked: TrackedSilence): void {
    const at = tracked.rule === undefined ? undefined : silentAt(tracked.state, tracked.rule);
    if (at !== undefined) this.timers.add(at, key);
  }

  private identify(key: string): { ref: InstrumentRef; rule: SilenceRule | undefined } {
    const ref = identityOfKey(key);
    return { ref, rule: this.options.silenceRule(ref.instrument, ref.borehole_number) };
  }

  private stepOptions() {
    return this.options.maxLogStepMs === undefined ? {} : { maxStepMs: this.options.maxLogStepMs };
  }
}
