/**
 * What the aggregator keeps of a window's latest reading besides its value: the instrument's
 * position (a window record carries it from the latest reading) and where that reading came
 * from in the raw log, so a window a sink rejects can be traced back to Kafka.
 *
 * A tuple rather than an object: one is stored per open window in every checkpoint, and the
 * field names would be a tenth of a checkpoint's size.
 */
export type ReadingMeta = readonly [
  surfaceLevel: number,
  northing: number,
  easting: number,
  /** Kafka offset of the message holding the reading. */
  offset: number,
  /** Index of the reading in its batch envelope; null for a single-reading message. */
  item: number | null,
];

export function readingMeta(
  reading: { readonly surface_level: number; readonly northing: number; readonly easting: number },
  offset: number,
  item: number | null,
): ReadingMeta {
  return [reading.surface_level, reading.northing, reading.easting, offset, item];
}

export const surfaceLevelOf = (meta: ReadingMeta): number => meta[0];
export const northingOf = (meta: ReadingMeta): number => meta[1];
export const eastingOf = (meta: ReadingMeta): number => meta[2];
export const offsetOf = (meta: ReadingMeta): number => meta[3];
export const itemOf = (meta: ReadingMeta): number | null => meta[4];

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Checks a meta read back from a checkpoint (the aggregator cannot know our shape). */
export function isReadingMeta(value: unknown): value is ReadingMeta {
  if (!Array.isArray(value) || value.length !== 5) return false;
  const [surfaceLevel, northing, easting, offset, item] = value as unknown[];
  return (
    isFiniteNumber(surfaceLevel) &&
    isFiniteNumber(northing) &&
    isFiniteNumber(easting) &&
    Number.isSafeInteger(offset) &&
    (offset as number) >= 0 &&
    (item === null || (Number.isSafeInteger(item) && (item as number) >= 0))
  );
}
