/**
 * Small scanners over JSON text for the slow path only (bad input): rescuing bare NaN/Infinity
 * tokens, and finding where each item of an envelope starts and ends in the original text so a
 * bad item can be dead-lettered as its own bytes.
 */

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at i (text[i] === '"'), or -1. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92)
      j++; // backslash: skip the escaped character
    else if (c === 34) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at i, or -1. Scalars run to the next delimiter. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return skipString(text, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) {
        j = skipString(text, j);
        if (j < 0) return -1;
        j--;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || isWhitespace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

const NON_FINITE_TOKENS = ['-Infinity', 'Infinity', 'NaN'];

/**
 * JSON text with bare NaN / Infinity / -Infinity tokens (as Python's json.dumps writes them)
 * quoted, so that JSON.parse succeeds and validation can name the field as a non-finite number
 * instead of rejecting the whole message as not JSON. Undefined when there is none to rescue.
 */
export function quoteNonFiniteTokens(text: string): string | undefined {
  let out = '';
  let copiedUpTo = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = skipString(text, i);
      if (end < 0) return undefined;
      i = end - 1;
      continue;
    }
    if (c !== 78 && c !== 73 && c !== 45) continue; // N I -
    const token = NON_FINITE_TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    out += `${text.slice(copiedUpTo, i)}"${token}"`;
    i += token.length - 1;
    copiedUpTo = i + 1;
  }
  return copiedUpTo === 0 ? undefined : out + text.slice(copiedUpTo);
}

/**
 * The [start, end) spans of the elements of the top-level object's "items" array (the last
 * one, as JSON.parse keeps the last duplicate key), or undefined if the text has no such shape.
 */
export function envelopeItemSpans(text: string): Array<[number, number]> | undefined {
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) === 0xfeff) i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) !== 123) return undefined;
  i = skipWhitespace(text, i + 1);
  let spans: Array<[number, number]> | undefined;
  while (i < text.length && text.charCodeAt(i) !== 125) {
    const keyEnd = skipString(text, i);
    if (text.charCodeAt(i) !== 34 || keyEnd < 0) return undefined;
    const rawKey = text.slice(i, keyEnd);
    const key = rawKey.includes('\\') ? (JSON.parse(rawKey) as string) : rawKey.slice(1, -1);
    i = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(i) !== 58) return undefined;
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = skipValue(text, valueStart);
    if (valueEnd < 0) return undefined;
    if (key === 'items') spans = arrayElementSpans(text, valueStart);
    i = skipWhitespace(text, valueEnd);
    if (text.charCodeAt(i) === 44) i = skipWhitespace(text, i + 1);
  }
  return spans;
}

function arrayElementSpans(text: string, start: number): Array<[number, number]> | undefined {
  if (text.charCodeAt(start) !== 91) return undefined;
  const spans: Array<[number, number]> = [];
  let i = skipWhitespace(text, start + 1);
  while (i < text.length && text.charCodeAt(i) !== 93) {
    const end = skipValue(text, i);
    if (end < 0) return undefined;
    spans.push([i, end]);
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) === 44) i = skipWhitespace(text, i + 1);
  }
  return spans;
}
