/**
 * JSON with object keys in sorted order at every depth, so the same value always gives the
 * same bytes, however it was built (fresh, restored from a snapshot, read back from a store).
 * That is what lets a replay repeat a message byte for byte. Non-finite numbers throw: JSON
 * would silently turn them into null, and a record must never change meaning on the way out.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`non-finite number at '${path}'`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? 'null' : write(item, `${path}[${i}]`))).join(',')}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return write((value as { toJSON(): unknown }).toJSON(), path);
      }
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue; // as JSON.stringify does
        parts.push(`${JSON.stringify(key)}:${write(item, path ? `${path}.${key}` : key)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`cannot serialise ${typeof value} at '${path}'`);
  }
}
