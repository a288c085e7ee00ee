import { isRecordRejection } from '@geostream/sinks';

export interface Refused<T> {
  readonly item: T;
  readonly error: unknown;
}

/**
 * Writes `items` with `write`; when the sink refuses particular records (isRecordRejection),
 * splits the batch in halves until each refused record is alone, writes everything else, and
 * returns the refused records with the sink's reason. Anything else (an outage, a refusal
 * that blames no record) is thrown, for the caller to retry. Writes must be idempotent: the
 * halves of a refused batch are written again.
 */
export async function writeIsolatingRefusals<T>(
  items: readonly T[],
  write: (some: readonly T[]) => Promise<unknown>,
): Promise<Refused<T>[]> {
  const refused: Refused<T>[] = [];
  const attempt = async (some: readonly T[]): Promise<void> => {
    if (some.length === 0) return;
    try {
      await write(some);
    } catch (error) {
      if (!isRecordRejection(error)) throw error;
      const [only] = some;
      if (some.length === 1 && only !== undefined) {
        refused.push({ item: only, error });
        return;
      }
      const half = Math.ceil(some.length / 2);
      await attempt(some.slice(0, half));
      await attempt(some.slice(half));
    }
  };
  await attempt(items);
  return refused;
}
