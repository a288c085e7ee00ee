/**
 * What the aggregator keeps of a window's latest reading besides its value: the instrument's
 * position (a window record carries it from the latest reading) and where that reading came
 * from in the raw log, so a window a sink rejects can be traced back to Kafka. Plain JSON: it
 * is stored in checkpoints.
 */
export interface ReadingMeta {
  readonly surface_level: number;
  readonly northing: number;
  readonly easting: number;
  /** Kafka offset of the message holding the reading. */
  readonly offset: number;
  /** Index of the reading in its batch envelope; null for a single-reading message. */
  readonly item: number | null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Checks a meta read back from a checkpoint (the aggregator cannot know our shape). */
export function isReadingMeta(value: unknown): value is ReadingMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  const item = meta['item'];
  return (
    isFiniteNumber(meta['surface_level']) &&
    isFiniteNumber(meta['northing']) &&
    isFiniteNumber(meta['easting']) &&
    Number.isSafeInteger(meta['offset']) &&
    (meta['offset'] as number) >= 0 &&
    (item === null || (Number.isSafeInteger(item) && (item as number) >= 0))
  );
}
