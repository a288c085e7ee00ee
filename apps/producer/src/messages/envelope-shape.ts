import {
  envelopeItemSpansAt,
  jsonTextStart,
  lastMember,
  objectMembers,
  skipWhitespace,
  type JsonMember,
} from '@geostream/instrument-schemas';

/**
 * Recognises the two response shapes of the instrument API and says where each item lies in the
 * text: a batch envelope (`{"instruments", "units", "timezone", "items": [...]}`), or the
 * /params/all shape (`{"envelopes": {"<type>": <envelope>, ...}}`). Anything else (truncated
 * JSON, HTML, an error object) is not an envelope and is forwarded whole. One pass over the
 * text: the item arrays are split while the structure is checked.
 */
export interface EnvelopeItems {
  /** The envelope's key under `envelopes` for /params/all; undefined for a single envelope. */
  readonly envelope: string | undefined;
  readonly spans: ReadonlyArray<readonly [number, number]>;
}

type Spans = Array<[number, number]>;

/** Every envelope's item spans, or undefined when the text is not one of the two shapes. */
export function envelopeItems(text: string): EnvelopeItems[] | undefined {
  let byType: Map<string, Spans | null | undefined> | undefined;
  const root = envelopeItemSpansAt(text, jsonTextStart(text), (key, valueStart) => {
    if (key !== 'envelopes') return undefined;
    byType = new Map();
    const types = byType;
    const envelopes = objectMembers(text, valueStart, (type, envelopeStart) => {
      const envelope = envelopeItemSpansAt(text, envelopeStart);
      if (!envelope) return -1;
      // Like JSON.parse, a repeated key keeps its first position and takes its last value.
      types.set(type, envelope.spans);
      return envelope.end;
    });
    return envelopes ? envelopes.end : -1;
  });
  if (!root || skipWhitespace(text, root.end) !== text.length) return undefined;
  if (root.spans) return [{ envelope: undefined, spans: root.spans }];
  // A top-level "items" that is not an array: not an envelope, whatever "envelopes" holds.
  if (root.spans === null || !byType) return undefined;
  const result: EnvelopeItems[] = [];
  for (const [type, spans] of byType) {
    if (!spans) return undefined;
    result.push({ envelope: type, spans });
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

function stringValue(text: string, member: JsonMember | undefined): string | undefined {
  if (!member || text.charCodeAt(member.valueStart) !== 0x22) return undefined;
  const raw = text.slice(member.valueStart, member.valueEnd);
  try {
    return raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  } catch {
    return undefined;
  }
}
