/**
 * A structural scanner over JSON text: finds where values start and end without building them,
 * so an envelope's items can be forwarded, validated or dead-lettered as their original bytes.
 * It is tolerant inside values (a bare NaN, as Python writes it, or a broken item stays one
 * item for validation to judge) but strict about structure: strings must close, brackets must
 * match, members and elements need their separators, or the scan fails. On text JSON.parse
 * accepts, every span is exactly the value JSON.parse reads there (property-tested).
 *
 * One copy serves the producer's splitter (its hot path), validation's bad-item slices and the
 * stream-processor's late-reading slices.
 */

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index of the first non-whitespace character at or after `from`. */
export function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string opening at `start` (a quote), or -1 if it never closes. */
export function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** Index just past the value starting at `start`, or -1 if its structure is broken. */
export function skipValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === 0x22) return skipString(text, start);
  if (first === 0x7b || first === 0x5b) {
    const closers: number[] = [];
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const end = skipString(text, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (c === 0x7b) closers.push(0x7d);
      else if (c === 0x5b) closers.push(0x5d);
      else if (c === 0x7d || c === 0x5d) {
        if (closers.pop() !== c) return -1;
        if (closers.length === 0) return i + 1;
      }
    }
    return -1;
  }
  // A scalar (number, true, false, null, or a bare token such as NaN) runs to a delimiter.
  let i = start;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x3a || isWhitespace(c)) break;
    if (c === 0x22 || c === 0x7b || c === 0x5b) return -1;
    i++;
  }
  return i > start ? i : -1;
}

/** Index of a JSON text's first value: past leading whitespace and a byte-order mark. */
export function jsonTextStart(text: string): number {
  const start = skipWhitespace(text, 0);
  return text.charCodeAt(start) === 0xfeff ? skipWhitespace(text, start + 1) : start;
}

/** One member of an object: its key (escapes decoded) and where its value lies. */
export interface JsonMember {
  readonly key: string;
  readonly valueStart: number;
  readonly valueEnd: number;
}

/**
 * Reads a member's value in place of skipping it: returns the index just past the value, -1 if
 * it is broken, or undefined to let the scanner skip it.
 */
export type JsonMemberReader = (key: string, valueStart: number) => number | undefined;

/**
 * The members of the object starting at `start` (which must be '{'), in order, duplicates
 * included, and the index just past it; undefined if it is not a well-formed object. `read`
 * lets a caller consume the values it cares about in the same pass.
 */
export function objectMembers(
  text: string,
  start: number,
  read?: JsonMemberReader,
): { members: JsonMember[]; end: number } | undefined {
  if (text.charCodeAt(start) !== 0x7b) return undefined;
  const members: JsonMember[] = [];
  let i = skipWhitespace(text, start + 1);
  if (text.charCodeAt(i) === 0x7d) return { members, end: i + 1 };
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const rawKey = text.slice(i, keyEnd);
    let key: string;
    try {
      key = rawKey.includes('\\') ? (JSON.parse(rawKey) as string) : rawKey.slice(1, -1);
    } catch {
      return undefined;
    }
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = read?.(key, valueStart) ?? skipValue(text, valueStart);
    if (valueEnd < 0) return undefined;
    members.push({ key, valueStart, valueEnd });
    i = skipWhitespace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === 0x7d) return { members, end: i + 1 };
    if (c !== 0x2c) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}

/** The [start, end) spans of the elements of the array starting at `start` (which must be '['). */
export function arrayElements(
  text: string,
  start: number,
): { elements: Array<[number, number]>; end: number } | undefined {
  if (text.charCodeAt(start) !== 0x5b) return undefined;
  const elements: Array<[number, number]> = [];
  let i = skipWhitespace(text, start + 1);
  if (text.charCodeAt(i) === 0x5d) return { elements, end: i + 1 };
  for (;;) {
    const end = skipValue(text, i);
    if (end < 0) return undefined;
    elements.push([i, end]);
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === 0x5d) return { elements, end: i + 1 };
    if (c !== 0x2c) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}

/** The last member named `key` (JSON.parse keeps the last of duplicate keys). */
export function lastMember(members: readonly JsonMember[], key: string): JsonMember | undefined {
  for (let i = members.length - 1; i >= 0; i--) {
    if ((members[i] as JsonMember).key === key) return members[i];
  }
  return undefined;
}

/**
 * The batch envelope object starting at `start`, read as JSON.parse would (the last "items"
 * wins): `spans` are the [start, end) spans of its "items" array's elements, undefined when it
 * has no "items", null when its last "items" is not an array; `end` is the index just past the
 * object. Undefined when it is not a well-formed object. `readOther` reads other members in the
 * same pass (see objectMembers).
 */
export function envelopeItemSpansAt(
  text: string,
  start: number,
  readOther?: JsonMemberReader,
): { spans: Array<[number, number]> | null | undefined; end: number } | undefined {
  let spans: Array<[number, number]> | null | undefined;
  const object = objectMembers(text, start, (key, valueStart) => {
    if (key !== 'items') return readOther?.(key, valueStart);
    if (text.charCodeAt(valueStart) !== 0x5b) {
      spans = null; // skipped: a later "items" may still replace it
      return undefined;
    }
    const items = arrayElements(text, valueStart);
    spans = items?.elements;
    return items ? items.end : -1;
  });
  return object && { spans, end: object.end };
}

/**
 * The [start, end) spans of the items of a batch envelope text (a top-level object whose last
 * "items" is an array, as JSON.parse reads it), or undefined when the text is not one.
 */
export function envelopeItemSpans(text: string): Array<[number, number]> | undefined {
  const envelope = envelopeItemSpansAt(text, jsonTextStart(text));
  if (!envelope || skipWhitespace(text, envelope.end) !== text.length) return undefined;
  return envelope.spans ?? undefined;
}
