import type { RecordedResponse } from './recording-proxy';

/**
 * The messages the raw topic must hold for the responses the API delivered, computed without
 * the producer's code: JSON.parse each body; an envelope's items become one message each
 * (compared as canonical JSON), anything else one unparsed message with the exact bytes.
 */
export interface Expected {
  readonly items: string[];
  readonly unparsed: Buffer[];
  /** Item JSON per key, in the order the API returned them. */
  readonly byKey: Map<string, string[]>;
}

function itemsOf(body: unknown): unknown[][] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { items?: unknown; envelopes?: Record<string, { items?: unknown }> };
  if (Array.isArray(record.items)) return [record.items];
  if (record.envelopes && typeof record.envelopes === 'object') {
    const lists = Object.values(record.envelopes).map((e) => e?.items);
    return lists.every(Array.isArray) ? (lists as unknown[][]) : undefined;
  }
  return undefined;
}

export function keyOf(item: unknown, target: string): string {
  const i = item as { instrument?: unknown; borehole_number?: unknown } | null;
  return typeof i?.instrument === 'string' &&
    i.instrument !== '' &&
    typeof i.borehole_number === 'string' &&
    i.borehole_number !== ''
    ? `${i.instrument}:${i.borehole_number}`
    : `unkeyed:${target}`;
}

export function expectedMessages(responses: readonly RecordedResponse[]): Expected {
  const expected: Expected = { items: [], unparsed: [], byKey: new Map() };
  for (const response of responses) {
    if (!response.delivered || response.status < 200 || response.status >= 300) continue;
    const target = (response.path.split('?')[0] ?? '').split('/').filter(Boolean).pop() ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const lists = itemsOf(parsed);
    if (!lists) {
      expected.unparsed.push(response.body);
      continue;
    }
    for (const item of lists.flat()) {
      const json = JSON.stringify(item);
      const key = keyOf(item, target);
      expected.items.push(`${key} ${json}`);
      expected.byKey.set(key, [...(expected.byKey.get(key) ?? []), json]);
    }
  }
  return expected;
}
