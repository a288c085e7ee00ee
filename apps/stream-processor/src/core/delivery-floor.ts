/** A partition's delivery floor as its checkpoint holds it (plain JSON). */
export interface DeliveryFloorState {
  readonly delayMs: number;
  /** The log time of the latest reading observed. */
  readonly logTimeMs: number;
}

/**
 * How fresh a partition's readings recently reached the log: the smallest recent delay (Kafka
 * timestamp minus reading timestamp) of any reading on it, forgetting at half the pace of log
 * time as each instrument's own arrival model does. Small on a live site; hours while the
 * catch-up after an outage of the producer or its source is read (hours-old readings), or a
 * backlog, or a backfill of the whole partition. Decided from the log alone and checkpointed, so
 * a replay judges exactly as the first run did. Mutable: it is told of every reading.
 */
export class DeliveryFloor {
  private delayMs = 0;
  private logTimeMs = -Infinity;

  constructor(restored: DeliveryFloorState | null = null) {
    if (restored !== null) {
      this.delayMs = restored.delayMs;
      this.logTimeMs = restored.logTimeMs;
    }
  }

  /** One more reading: its log time and its own timestamp (ms). */
  observe(logTimeMs: number, eventTimeMs: number): void {
    const delayMs = logTimeMs - eventTimeMs;
    if (this.logTimeMs === -Infinity) {
      this.delayMs = delayMs;
      this.logTimeMs = logTimeMs;
      return;
    }
    const elapsedMs = logTimeMs - this.logTimeMs;
    const forgotten = this.delayMs + (elapsedMs > 0 ? Math.floor(elapsedMs / 2) : 0);
    this.delayMs = delayMs < forgotten ? delayMs : forgotten;
    if (logTimeMs > this.logTimeMs) this.logTimeMs = logTimeMs;
  }

  /**
   * Whether an instrument's readings arriving later than `toleranceMs` say anything of its
   * clock: only while the partition's freshest readings arrive within the tolerance. When every
   * reading is late (a catch-up, a backlog), a late instrument is late with all the others, and
   * calling its clock slow would raise a clock_skew alarm for the whole site.
   */
  isLive(toleranceMs: number): boolean {
    return this.logTimeMs !== -Infinity && this.delayMs <= toleranceMs;
  }

  /** For the checkpoint; null before any reading with a log time. */
  get state(): DeliveryFloorState | null {
    return this.logTimeMs === -Infinity
      ? null
      : { delayMs: this.delayMs, logTimeMs: this.logTimeMs };
  }
}

/**
 * A floor read back from a checkpoint header: null when absent (checkpoints written before it
 * existed: the first reading after the restore sets it); undefined when malformed.
 */
export function readDeliveryFloor(json: unknown): DeliveryFloorState | null | undefined {
  if (json === undefined || json === null) return null;
  if (typeof json !== 'object') return undefined;
  const { delayMs, logTimeMs } = json as Record<string, unknown>;
  return Number.isSafeInteger(delayMs) && Number.isSafeInteger(logTimeMs)
    ? { delayMs: delayMs as number, logTimeMs: logTimeMs as number }
    : undefined;
}
