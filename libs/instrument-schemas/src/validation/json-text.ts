import { skipString } from '../json-scanner';

/**
 * Rescuing bare NaN/Infinity tokens in JSON text, for the slow path only (bad input). Item
 * spans for dead-lettering a bad envelope item as its own bytes come from json-scanner.
 */

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
