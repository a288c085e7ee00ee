/**
 * The idle advance: where the log clock of a partition with nothing left to read may move, from
 * the processor's clock. The one decision not taken from the log (the caller checkpoints right
 * after it, so a replay starts after it and never has to repeat it).
 *
 * It rests on one assumption: no record reaches the log more than `idleAdvanceMs` after the
 * Kafka timestamp it carries (a producer held up, its clock behind the processor's). So a
 * caught-up partition's log clock is at least `now - idleAdvanceMs`: a record still on its way
 * carries a later time. The last windows of a backlog read long after it was logged (the
 * catch-up after the processor was down, a new consumer group, a store-and-forward upload of
 * hours ago) close as soon as it is read; a quiet site's windows close `idleAdvanceMs` after
 * their own deadline. (Until 2026-12-06 the clock moved to `now`, but only after `idleAdvanceMs`
 * with nothing read: a backlog's last windows waited that long, and a record created just
 * before the advance and still on its way carried a time behind it.)
 *
 * Not while fetches fail or hang (FetchHealth), nor within `idleAdvanceMs` of the last trouble:
 * a broker down reads as silence, and during its failover the producer is held up too.
 */
export interface IdleAdvanceInput {
  /** The processor's clock. */
  readonly nowMs: number;
  /** IDLE_FLUSH_MS. */
  readonly idleAdvanceMs: number;
  /** The earliest log time at which an advance closes anything (undefined: nothing open). */
  readonly nextQuietCheckMs: number | undefined;
  /** When the consumer's fetches last failed or hung (-Infinity: never). */
  readonly lastFetchTroubleAtMs: number;
}

/**
 * The log time a caught-up partition advances to now, or undefined when the advance would close
 * nothing (or is not allowed yet). Whether the partition is caught up (nothing left to read, up
 * to the end of its log including transactions not committed yet) is the caller's to check.
 */
export function idleAdvanceTarget(input: IdleAdvanceInput): number | undefined {
  const { nowMs, idleAdvanceMs, nextQuietCheckMs } = input;
  if (nextQuietCheckMs === undefined) return undefined;
  if (nowMs - input.lastFetchTroubleAtMs < idleAdvanceMs) return undefined;
  const target = nowMs - idleAdvanceMs;
  return nextQuietCheckMs <= target ? target : undefined;
}

/**
 * Records of a batch whose Kafka timestamp is before the log clock an idle advance set: they
 * reached the log later than IDLE_FLUSH_MS allows, so the advance may have closed windows they
 * belonged to (their readings are dead-lettered as late, nothing is lost silently). The
 * operator's sign to raise IDLE_FLUSH_MS.
 */
export function recordsBehindIdleAdvance(
  messages: readonly { readonly timestamp: string }[],
  advancedToMs: number,
): number {
  if (advancedToMs === -Infinity) return 0;
  let behind = 0;
  for (const message of messages) if (Number(message.timestamp) < advancedToMs) behind++;
  return behind;
}
