import type { KeyState } from './key-state';
import type { ClosedWindow, CloseCause, KeyArrival } from './outputs';

/** A window whose sum would overflow a double keeps it scaled down by 2^SCALE_EXPONENT. */
export const SCALE_EXPONENT = 64;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;
const SCALE_UP = 2 ** SCALE_EXPONENT;

/**
 * The running aggregate of one open window of one key.
 *
 * The sum is Neumaier-compensated: `compensation` collects the low-order bits that each
 * addition to `sum` rounds away, so sum + compensation stays within a few ulps of the exact
 * sum however many readings a window holds and whatever their magnitude (e.g. elevations
 * near 100 m varying in the third decimal). The mean is that sum / count: never a running
 * pairwise average. Should the sum leave the range of a double (two readings of 1.7e308), the
 * window goes on with sum and compensation scaled by 2^-64, exactly (a power of two), so its
 * mean stays right (1.7e308, not Infinity or NaN).
 *
 * Fields are public and mutable for speed: only the partition state touches them. Every
 * numeric field has a numeric initializer on purpose: a field first defined as undefined (a
 * bare `sum: number;` under ES2022 class-field semantics) gets V8's tagged representation, and
 * every later store of a double then allocates a new heap number.
 */
export class WindowAccumulator<M> {
  /** The key's state, so closing a window needs no lookup. */
  owner: KeyState<M>;
  key: string;
  /** Fixed for time windows; for sessions firstEventTimeMs and lastEventTimeMs + gap. */
  startMs = 0;
  endMs = 0;
  /** False once emitted, evicted or merged into another session: queue entries skip it. */
  open = true;
  count = 1;
  sum = 0;
  compensation = 0;
  /** 0, or SCALE_EXPONENT once the sum overflowed: sum and compensation are then scaled down. */
  scaleExponent = 0;
  min = 0;
  max = 0;
  firstEventTimeMs = 0;
  lastEventTimeMs = 0;
  latestMeta: M;
  /** Offset of the reading latestMeta came from: breaks event-time ties. */
  latestOffset = 0;
  minOffset = 0;
  maxOffset = 0;

  constructor(
    owner: KeyState<M>,
    startMs: number,
    endMs: number,
    eventTimeMs: number,
    value: number,
    offset: number,
    meta: M,
  ) {
    this.owner = owner;
    this.key = owner.key;
    this.latestMeta = meta;
    this.reset(owner, startMs, endMs, eventTimeMs, value, offset, meta);
  }

  /** Starts a new window with one reading, reusing this object (see PartitionState). */
  reset(
    owner: KeyState<M>,
    startMs: number,
    endMs: number,
    eventTimeMs: number,
    value: number,
    offset: number,
    meta: M,
  ): void {
    this.owner = owner;
    this.key = owner.key;
    this.startMs = startMs;
    this.endMs = endMs;
    this.open = true;
    this.count = 1;
    this.compensation = 0;
    this.scaleExponent = 0;
    this.sum = value;
    this.min = value;
    this.max = value;
    this.firstEventTimeMs = eventTimeMs;
    this.lastEventTimeMs = eventTimeMs;
    this.latestMeta = meta;
    this.latestOffset = offset;
    this.minOffset = offset;
    this.maxOffset = offset;
  }

  /**
   * Drops what a spare window (closed, kept for reuse) would otherwise keep reachable until
   * reused: its key's state, which the partition may have forgotten, and its metadata. Only
   * reset() may follow; the casts stand for "none" where the types say always set.
   */
  release(): void {
    this.owner = undefined as unknown as KeyState<M>;
    this.key = '';
    this.latestMeta = undefined as M;
  }

  add(eventTimeMs: number, value: number, offset: number, meta: M): void {
    this.count++;
    this.addToSum(value);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (eventTimeMs < this.firstEventTimeMs) this.firstEventTimeMs = eventTimeMs;
    if (
      eventTimeMs > this.lastEventTimeMs ||
      (eventTimeMs === this.lastEventTimeMs && offset > this.latestOffset)
    ) {
      this.lastEventTimeMs = eventTimeMs;
      this.latestMeta = meta;
      this.latestOffset = offset;
    }
    if (offset < this.minOffset) this.minOffset = offset;
    if (offset > this.maxOffset) this.maxOffset = offset;
  }

  /** Absorbs another window of the same key (sessions bridged by a reading). */
  merge(other: WindowAccumulator<M>): void {
    this.count += other.count;
    if (other.scaleExponent > this.scaleExponent) this.scaleDown();
    const factor = other.scaleExponent < this.scaleExponent ? SCALE_DOWN : 1;
    this.addScaled(other.sum * factor);
    this.compensation += other.compensation * factor;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.firstEventTimeMs < this.firstEventTimeMs)
      this.firstEventTimeMs = other.firstEventTimeMs;
    if (
      other.lastEventTimeMs > this.lastEventTimeMs ||
      (other.lastEventTimeMs === this.lastEventTimeMs && other.latestOffset > this.latestOffset)
    ) {
      this.lastEventTimeMs = other.lastEventTimeMs;
      this.latestMeta = other.latestMeta;
      this.latestOffset = other.latestOffset;
    }
    if (other.minOffset < this.minOffset) this.minOffset = other.minOffset;
    if (other.maxOffset > this.maxOffset) this.maxOffset = other.maxOffset;
  }

  /** The best estimate of the exact sum (±Infinity when it exceeds a double's range). */
  total(): number {
    const scaled = this.sum + this.compensation;
    return this.scaleExponent === 0 ? scaled : scaled * SCALE_UP;
  }

  /** sum / count, computed in the scaled domain when the sum overflowed. */
  mean(): number {
    const scaled = (this.sum + this.compensation) / this.count;
    return this.scaleExponent === 0 ? scaled : scaled * SCALE_UP;
  }

  toClosedWindow(
    partition: number,
    closedBy: CloseCause,
    arrival: KeyArrival | null,
  ): ClosedWindow<M> {
    return {
      key: this.key,
      partition,
      windowStartMs: this.startMs,
      windowEndMs: this.endMs,
      count: this.count,
      sum: this.total(),
      mean: this.mean(),
      min: this.min,
      max: this.max,
      firstEventTimeMs: this.firstEventTimeMs,
      lastEventTimeMs: this.lastEventTimeMs,
      latestMeta: this.latestMeta,
      minOffset: this.minOffset,
      maxOffset: this.maxOffset,
      closedBy,
      early: closedBy === 'evicted',
      arrival,
    };
  }

  private addToSum(value: number): void {
    this.addScaled(this.scaleExponent === 0 ? value : value * SCALE_DOWN);
  }

  private addScaled(value: number): void {
    const sum = this.sum;
    const next = sum + value;
    if (next - next !== 0 && this.scaleExponent === 0) {
      // Overflow (finite operands, infinite sum): go on scaled down, exactly.
      this.scaleDown();
      this.addScaled(value * SCALE_DOWN);
      return;
    }
    // Neumaier: whichever operand is larger loses the low-order bits of the other.
    if (Math.abs(sum) >= Math.abs(value)) this.compensation += sum - next + value;
    else this.compensation += value - next + sum;
    this.sum = next;
  }

  private scaleDown(): void {
    this.sum *= SCALE_DOWN;
    this.compensation *= SCALE_DOWN;
    this.scaleExponent = SCALE_EXPONENT;
  }
}

/** Emission order within one end time: by key (UTF-16 code units, locale-free), then start. */
export function compareByKeyThenStart(
  a: WindowAccumulator<unknown>,
  b: WindowAccumulator<unknown>,
): number {
  if (a.key < b.key) return -1;
  if (a.key > b.key) return 1;
  return a.startMs - b.startMs;
}
