import type { Alert, DeadLetter, WindowRecord } from '@geostream/instrument-schemas';
import type { ProcessorOutputs, WindowOrigin } from '../core/partition-processor';

/** Outputs processed but not yet written, with when their windows closed (processor clock). */
export interface OutputBatch {
  readonly windows: WindowRecord[];
  readonly windowOrigins: WindowOrigin[];
  readonly alerts: Alert[];
  readonly deadLetters: DeadLetter[];
  /** Parallel to windows: the processor-clock time each window closed. */
  readonly closedAtMs: number[];
}

/**
 * A partition's outputs between two checkpoints. Windows are written as soon as a batch closes
 * any, so this holds at most one batch of them; batches that close nothing only add dead
 * letters and progress, and are written with the next checkpoint.
 */
export class PendingOutputs {
  private batch: OutputBatch = emptyBatch();

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

  add(outputs: ProcessorOutputs, closedAtMs: number): void {
    const b = this.batch;
    for (let i = 0; i < outputs.windows.length; i++) {
      b.windows.push(outputs.windows[i]!);
      b.windowOrigins.push(outputs.windowOrigins[i]!);
      b.closedAtMs.push(closedAtMs);
    }
    for (const alert of outputs.alerts) b.alerts.push(alert);
    for (const deadLetter of outputs.deadLetters) b.deadLetters.push(deadLetter);
  }

  take(): OutputBatch {
    const taken = this.batch;
    this.batch = emptyBatch();
    return taken;
  }

  clear(): void {
    this.batch = emptyBatch();
  }
}

function emptyBatch(): OutputBatch {
  return { windows: [], windowOrigins: [], alerts: [], deadLetters: [], closedAtMs: [] };
}
