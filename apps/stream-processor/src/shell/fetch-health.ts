/**
 * Whether the consumer's fetches have been answering, from kafkajs's FETCH_START and FETCH
 * events (one pair per fetch from one broker). A fetch that never answered (the next one to the
 * same broker starts without it, or it has been out longer than a fetch may take) means a broker
 * is down or unreachable: the partitions it leads get no records, not because nothing was
 * written but because nothing could be read. The idle advance, the one decision taken from the
 * processor's clock rather than the log, must not take that silence for a quiet site: during a
 * broker failover the producer is held up too, so the log looks caught up while the readings of
 * the windows it would close are on their way. Time is an argument (the shell's clock).
 */
export class FetchHealth {
  /** Broker id -> when its fetch in flight started. */
  private readonly inFlight = new Map<number, number>();
  private troubleAtMs = -Infinity;

  /** @param longestFetchMs how long a healthy fetch may take (its max wait plus slack). */
  constructor(private readonly longestFetchMs: number) {}

  fetchStarted(nodeId: number, nowMs: number): void {
    // The previous fetch from this broker never answered: it failed.
    if (this.inFlight.has(nodeId)) this.troubleAtMs = nowMs;
    this.inFlight.set(nodeId, nowMs);
  }

  fetchAnswered(nodeId: number): void {
    this.inFlight.delete(nodeId);
  }

  /**
   * The last time a fetch failed or hung (-Infinity: never). A hung fetch counts once, when it
   * overran, and is then forgotten: kafkajs reports no failed fetch, and once a dead broker's
   * partitions are led elsewhere nothing is fetched from it again, so waiting for its answer
   * would hold the idle advance for ever.
   */
  lastTroubleAtMs(nowMs: number): number {
    for (const [nodeId, startedAt] of this.inFlight) {
      const overranAt = startedAt + this.longestFetchMs;
      if (nowMs > overranAt) {
        if (overranAt > this.troubleAtMs) this.troubleAtMs = overranAt;
        this.inFlight.delete(nodeId);
      }
    }
    return this.troubleAtMs;
  }
}
