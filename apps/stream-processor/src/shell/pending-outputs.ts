import type {
  AlarmEvent,
  DeadLetter,
  InstrumentClock,
  WindowRecord,
} from '@geostream/instrument-schemas';
import type { ProcessorOutputs, WindowOrigin } from '../core/partition-processor';

/** Outputs processed but not yet written, with when their windows closed (processor clock). */
export interface OutputBatch {
  readonly windows: WindowRecord[];
  readonly windowOrigins: WindowOrigin[];
  /** Parallel to windows: the instrument's clock when each window closed. */
  readonly windowClocks: InstrumentClock[];
  readonly alerts: AlarmEvent[];
  readonly deadLetters: DeadLetter[];
  /** Parallel to windows: the processor-clock time each window closed. */
  readonly closedAtMs: number[];
}

/**
 * A partition's outputs between two checkpoints. A caught-up partition writes them after every
 * batch that produced any; one catching up on a backlog gathers a few batches' worth (bounded
 * in count and age) so each checkpoint and transaction carries more windows.
 */
export class PendingOutputs {
  private batch: OutputBatch = emptyBatch();
  /** Processor clock when the oldest pending output was added. */
  private oldestAtMs: number | undefined;

  get isEmpty(): boolean {
    const b = this.batch;
    return b.windows.length === 0 && b.alerts.length === 0 && b.deadLetters.length === 0;
  }

  get windowCount(): number {
    return this.batch.windows.length;
  }

  get deadLetterCount(): number {
    return this.batch.deadLetters.length;
  }

  /** How long the oldest pending output has waited (0 when none). */
  ageMs(nowMs: number): number {
    return this.oldestAtMs === undefined ? 0 : nowMs - this.oldestAtMs;
  }

  add(outputs: ProcessorOutputs, closedAtMs: number): void {
    const b = this.batch;
    if (
      this.oldestAtMs === undefined &&
      outputs.windows.length + outputs.alerts.length + outputs.deadLetters.length > 0
    )
      this.oldestAtMs = closedAtMs;
    // windowOrigins is parallel to windows (one origin per window).
    for (const window of outputs.windows) {
      b.windows.push(window);
      b.closedAtMs.push(closedAtMs);
    }
    for (const origin of outputs.windowOrigins) b.windowOrigins.push(origin);
    for (const clock of outputs.windowClocks) b.windowClocks.push(clock);
    for (const alert of outputs.alerts) b.alerts.push(alert);
    for (const deadLetter of outputs.deadLetters) b.deadLetters.push(deadLetter);
  }

  take(): OutputBatch {
    const taken = this.batch;
    this.clear();
    return taken;
  }

  clear(): void {
    this.batch = emptyBatch();
    this.oldestAtMs = undefined;
  }
}

function emptyBatch(): OutputBatch {
  return {
    windows: [],
    windowOrigins: [],
    windowClocks: [],
    alerts: [],
    deadLetters: [],
    closedAtMs: [],
  };
}
