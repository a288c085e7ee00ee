import type { PollTarget } from '../polling/poll-targets';

/**
 * The producer's position in each target's log, as records of the compacted state topic
 * (PRODUCER_STATE_TOPIC). A cursor is written in the same Kafka transaction as the readings
 * fetched with it, so what the state topic says was fetched is exactly what the raw topic holds.
 * Key `<transactionalId>:<target>` (several producers may share the topic); value JSON
 * `{"cursor": "...", "source": "<the URL polled>"}`. Pure: encoding and decoding only.
 */
export interface StateRecord {
  readonly key: string;
  readonly value: Buffer;
}

export interface SavedCursor {
  readonly cursor: string;
  /** The URL the cursor came from: a cursor means nothing to another API. */
  readonly source: string;
}

export function stateKey(transactionalId: string, target: PollTarget): string {
  return `${transactionalId}:${target}`;
}

export function cursorRecord(
  transactionalId: string,
  target: PollTarget,
  saved: SavedCursor,
): StateRecord {
  return {
    key: stateKey(transactionalId, target),
    value: Buffer.from(JSON.stringify({ cursor: saved.cursor, source: saved.source })),
  };
}

/**
 * The latest cursor of each of `targets`, from the state topic's records in log order (later
 * records win, as compaction keeps them). Records of other producers, or that do not decode,
 * are ignored.
 */
export function restoreCursors(
  transactionalId: string,
  targets: readonly PollTarget[],
  records: readonly StateRecord[],
): Map<PollTarget, SavedCursor> {
  const byKey = new Map(targets.map((t) => [stateKey(transactionalId, t), t]));
  const cursors = new Map<PollTarget, SavedCursor>();
  for (const record of records) {
    const target = byKey.get(record.key);
    if (target === undefined) continue;
    const saved = decode(record.value);
    if (saved) cursors.set(target, saved);
  }
  return cursors;
}

function decode(value: Buffer): SavedCursor | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<SavedCursor> | null;
    if (typeof parsed?.cursor === 'string' && typeof parsed.source === 'string') {
      return { cursor: parsed.cursor, source: parsed.source };
    }
  } catch {
    // not ours
  }
  return undefined;
}
