import { readFileSync } from 'node:fs';
import { configDefaults, type Environment } from '../config/env-reader';

/**
 * The defaults a README's configuration tables document: rows whose first cell names variables
 * in backticks (`POLL_INTERVAL_MS`, or several: `PORT`, `HOST`) and whose second cell gives one
 * default per variable, comma-separated, in backticks or not (`5000`; 9102, `127.0.0.1`;
 * `2592000000` (30 days); `empty` is the empty string). A cell that describes a default in words
 * ("the five types", "min(4000, interval)") is left out.
 */
export function documentedDefaults(markdown: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    const [, names = '', cell = ''] = line.split('|').map((part) => part.trim());
    const variables = [...names.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string);
    if (variables.length === 0) continue;
    const values = cell
      .replace(/\s+\([^)]*\)$/, '') // a trailing note: `2592000000` (30 days)
      .split(/,\s+/)
      .map(literal);
    if (values.length !== variables.length || values.includes(undefined)) continue;
    variables.forEach((variable, i) => defaults.set(variable, values[i] as string));
  }
  return defaults;
}

/** `text` in backticks, a bare number, or `empty`; anything else is a default said in words. */
function literal(value: string): string | undefined {
  const quoted = /^`([^`]*)`$/.exec(value);
  if (quoted) return quoted[1];
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  return value === 'empty' ? '' : undefined;
}

export interface ReadmeDefaultsReport {
  /** Variables whose documented default differs from the loader's: `NAME: README x, code y`. */
  readonly differing: string[];
  /** Variables the loader reads that no README names. */
  readonly undocumented: string[];
}

/**
 * Compares a config loader's defaults (run on an empty environment) with the READMEs: every
 * default documented in a table must be the loader's, and every variable it reads must be named.
 */
export function compareReadmeDefaults(
  load: (env: Environment) => unknown,
  readmeFiles: readonly string[],
): ReadmeDefaultsReport {
  const code = configDefaults(load);
  const texts = readmeFiles.map((file) => readFileSync(file, 'utf8'));
  const differing: string[] = [];
  for (const text of texts) {
    for (const [name, documented] of documentedDefaults(text)) {
      const actual = code.get(name);
      if (actual !== undefined && actual !== documented) {
        differing.push(
          `${name}: README ${JSON.stringify(documented)}, code ${JSON.stringify(actual)}`,
        );
      }
    }
  }
  const undocumented = [...code.keys()].filter(
    (name) => !texts.some((text) => new RegExp(`\\b${name}\\b`).test(text)),
  );
  return { differing, undocumented };
}
