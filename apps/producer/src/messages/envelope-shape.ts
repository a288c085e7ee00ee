import { arrayElements, lastMember, objectMembers, skipWhitespace } from './json-scanner';

/**
 * Recognises the two response shapes of the instrument API and says where each item lies in the
 * text: a batch envelope (`{"instruments", "units", "timezone", "items": [...]}`), or the
 * /params/all shape (`{"envelopes": {"<type>": <envelope>, ...}}`). Anything else (truncated
 * JSON, HTML, an error object) is not an envelope and is forwarded whole.
 */
export interface EnvelopeItems {
  /** The envelope's key under `envelopes` for /params/all; undefined for a single envelope. */
  readonly envelope: string | undefined;
  readonly spans: ReadonlyArray<readonly [number, number]>;
}

function itemsOf(text: string, start: number): Array<[number, number]> | undefined {
  const object = objectMembers(text, start);
  if (!object) return undefined;
  const items = lastMember(object.members, 'items');
  if (!items) return undefined;
  return arrayElements(text, items.valueStart)?.elements;
}

/** Every envelope's item spans, or undefined when the text is not one of the two shapes. */
export function envelopeItems(text: string): EnvelopeItems[] | undefined {
  let start = skipWhitespace(text, 0);
  if (text.charCodeAt(start) === 0xfeff) start = skipWhitespace(text, start + 1);
  const root = objectMembers(text, start);
  if (!root || skipWhitespace(text, root.end) !== text.length) return undefined;

  const items = lastMember(root.members, 'items');
  if (items) {
    const spans = arrayElements(text, items.valueStart)?.elements;
    return spans ? [{ envelope: undefined, spans }] : undefined;
  }
  const envelopes = lastMember(root.members, 'envelopes');
  if (!envelopes) return undefined;
  const byType = objectMembers(text, envelopes.valueStart);
  if (!byType) return undefined;
  const result: EnvelopeItems[] = [];
  const seen = new Set<string>();
  for (let i = byType.members.length - 1; i >= 0; i--) {
    const member = byType.members[i];
    if (member === undefined || seen.has(member.key)) continue;
    seen.add(member.key);
    const spans = itemsOf(text, member.valueStart);
    if (!spans) return undefined;
    result.unshift({ envelope: member.key, spans });
  }
  return result;
}

/**
 * An item's identity as it travels: `instrument` and `borehole_number` when both are non-empty
 * JSON strings, read without parsing the rest of the item (whose other fields may be broken).
 */
export function itemIdentity(
  text: string,
  start: number,
): { instrument: string; boreholeNumber: string } | undefined {
  const object = objectMembers(text, start);
  if (!object) return undefined;
  const instrument = stringValue(text, lastMember(object.members, 'instrument'));
  const boreholeNumber = stringValue(text, lastMember(object.members, 'borehole_number'));
  if (!instrument || !boreholeNumber) return undefined;
  return { instrument, boreholeNumber };
}

function stringValue(
  text: string,
  member: { valueStart: number; valueEnd: number } | undefined,
): string | undefined {
  if (!member || text.charCodeAt(member.valueStart) !== 0x22) return undefined;
  const raw = text.slice(member.valueStart, member.valueEnd);
  try {
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  } catch {
    return undefined;
  }
}
