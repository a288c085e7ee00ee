/**
 * The exact text of each item of a batch envelope, so a valid reading that turns out late can
 * be dead-lettered as its own original bytes (not the whole envelope, which may be a megabyte
 * and hold a thousand other readings). Only used on that slow path.
 *
 * instrument-schemas finds item spans the same way for invalid items, but keeps its scanner
 * internal; this one is deliberately small and is checked against JSON.parse by property tests.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;
const COLON = 58;

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at i (text[i] is a quote), or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** Index just past the JSON value starting at i, or -1. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        const end = skipString(text, j);
        if (end < 0) return -1;
        j = end - 1;
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isWhitespace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

/** [start, end) of each element of the array starting at i, or undefined. */
function arrayElementSpans(text: string, i: number): Array<[number, number]> | undefined {
  const spans: Array<[number, number]> = [];
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_ARRAY) return spans;
  for (;;) {
    const end = skipValue(text, i);
    if (end < 0) return undefined;
    spans.push([i, end]);
    i = skipWhitespace(text, end);
    const c = text.charCodeAt(i);
    if (c === CLOSE_ARRAY) return spans;
    if (c !== COMMA) return undefined;
    i = skipWhitespace(text, i + 1);
  }
}

/**
 * The texts of the elements of the top-level object's "items" array (the last "items" key
 * wins, as in JSON.parse), or undefined when the text is not an object with an items array.
 * Key escapes are not decoded: an "items" key spelled with escapes is not recognised, and the
 * caller then falls back to the whole message.
 */
export function envelopeItemTexts(text: string): string[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) === 0xfeff) i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) !== OPEN_OBJECT) return undefined;
  i = skipWhitespace(text, i + 1);
  let items: Array<[number, number]> | undefined;
  let sawItems = false;
  while (i < text.length && text.charCodeAt(i) !== CLOSE_OBJECT) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = skipString(text, i);
    if (keyEnd < 0) return undefined;
    const key = text.slice(i + 1, keyEnd - 1);
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return undefined;
    i = skipWhitespace(text, i + 1);
    const valueEnd = skipValue(text, i);
    if (valueEnd < 0) return undefined;
    if (key === 'items') {
      sawItems = true;
      items = text.charCodeAt(i) === OPEN_ARRAY ? arrayElementSpans(text, i) : undefined;
    }
    i = skipWhitespace(text, valueEnd);
    if (text.charCodeAt(i) === COMMA) i = skipWhitespace(text, i + 1);
  }
  if (!sawItems || items === undefined) return undefined;
  return items.map(([start, end]) => text.slice(start, end));
}
