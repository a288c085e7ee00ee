import type { Problem, ReasonCode } from '../problems';
import { MAX_IDENTIFIER_BYTES, MAX_IDENTIFIER_LENGTH } from '../schemas/patterns';

/** A short, safe rendering of a bad value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
      return `the string ${text}`;
    }
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return `the boolean ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

export function problem(code: ReasonCode, path: string, message: string): Problem {
  return { code, path, message };
}

/** The problem of a whole document that is not an object: `what` names it ("the reading"). */
export function notAnObject(what: string, value: unknown): Problem {
  return problem('not_an_object', '', `${what} must be a JSON object, got ${describeValue(value)}`);
}

/** Appends to a lazily created list: valid values allocate nothing. */
export function add(problems: Problem[] | undefined, p: Problem): Problem[] {
  if (problems === undefined) return [p];
  problems.push(p);
  return problems;
}

/** The problem for a value that is absent or null, if it is. */
export function absence(value: unknown, path: string): Problem | undefined {
  if (value === undefined) return problem('missing_field', path, `${path} is missing`);
  if (value === null) return problem('null_value', path, `${path} is null`);
  return undefined;
}

// Spellings of non-finite numbers seen in the wild (JavaScript, Python, C, Java).
const NON_FINITE_SPELLING = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

/**
 * The problem with a value that should be a finite number, if any. A string is a wrong type
 * (numbers must not be quoted: coercing would hide a broken sender), except a string spelling a
 * non-finite number ("NaN", "Infinity", "-inf"): that is what JSON senders emit for them.
 */
export function numberProblem(value: unknown, path: string): Problem | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? undefined
      : problem('non_finite_number', path, `${path} must be a finite number, got ${String(value)}`);
  }
  const missing = absence(value, path);
  if (missing !== undefined) return missing;
  if (typeof value === 'string' && NON_FINITE_SPELLING.test(value)) {
    return problem(
      'non_finite_number',
      path,
      `${path} must be a finite number, got ${describeValue(value)}`,
    );
  }
  return problem('wrong_type', path, `${path} must be a number, got ${describeValue(value)}`);
}

/** True when a string has a non-whitespace character (the JSON Schema pattern '\S'). */
export function isNotBlank(s: string): boolean {
  const c = s.charCodeAt(0);
  return (c > 32 && c < 127) || /\S/.test(s);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ASCII_ONLY = /^[\u0020-\u007e]*$/;

/**
 * The problem with an instrument id, if any: a non-blank string, short (in characters and in
 * UTF-8 bytes), valid Unicode, no control characters.
 */
export function identifierProblem(value: unknown, path: string): Problem | undefined {
  const basic = stringProblem(value, path);
  if (basic !== undefined) return basic;
  const id = value as string;
  const length = id.length > MAX_IDENTIFIER_LENGTH ? [...id].length : id.length;
  if (length > MAX_IDENTIFIER_LENGTH) {
    return problem(
      'invalid_value',
      path,
      `${path} must be at most ${MAX_IDENTIFIER_LENGTH} characters, got ${length}`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) {
    return problem('invalid_value', path, `${path} must not contain control characters`);
  }
  if (ASCII_ONLY.test(id)) return undefined; // the usual id, at most 128 bytes: done
  if (LONE_SURROGATE.test(id)) {
    return problem(
      'invalid_value',
      path,
      `${path} is not valid Unicode (a lone surrogate, e.g. a broken \\ud800 escape)`,
    );
  }
  const bytes = utf8Length(id);
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return problem(
      'invalid_value',
      path,
      `${path} must be at most ${MAX_IDENTIFIER_BYTES} bytes in UTF-8, got ${bytes}`,
    );
  }
  return undefined;
}

/** Bytes of a well-formed string in UTF-8 (a surrogate pair is one 4-byte character). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    // Each half of a surrogate pair counts 2: the pair is one 4-byte character.
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
  }
  return bytes;
}

/** The problem with a value that should be a non-blank string, if any. */
export function stringProblem(value: unknown, path: string): Problem | undefined {
  if (typeof value === 'string') {
    return isNotBlank(value)
      ? undefined
      : problem('empty_string', path, `${path} must not be empty or blank`);
  }
  return (
    absence(value, path) ??
    problem('wrong_type', path, `${path} must be a string, got ${describeValue(value)}`)
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function joinPath(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

/** The problem with a format `version` field, if any: absent means 1. */
export function versionProblem(
  value: unknown,
  path: string,
  supported: number,
  required = false,
): Problem | undefined {
  if (value === supported) return undefined;
  if (value === undefined && !required) return undefined;
  const missing = absence(value, path);
  if (missing !== undefined) return missing;
  if (typeof value !== 'number') {
    return problem('wrong_type', path, `${path} must be a number, got ${describeValue(value)}`);
  }
  return problem(
    'unsupported_version',
    path,
    `${path} ${String(value)} is not supported (this library reads version ${supported})`,
  );
}
