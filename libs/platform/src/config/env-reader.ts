import { ConfigError, type ConfigProblem } from '../errors';

/**
 * Reads typed values from an environment (process.env or a test object). Every reader records
 * a problem instead of throwing and returns the default, so one start-up reports every bad
 * variable at once; `readConfig` then throws a ConfigError naming them all.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  private readonly problems: ConfigProblem[] = [];
  private readonly fallbacks = new Map<string, string>();

  constructor(private readonly env: Environment) {}

  /** Each variable read while unset, with the default it got, as text (a list comma-joined). */
  defaultsUsed(): ReadonlyMap<string, string> {
    return this.fallbacks;
  }

  /**
   * Records the default of a variable a caller parses itself from raw() (the typed readers
   * record theirs): what `configDefaults` reports.
   */
  noteDefault(name: string, fallback: unknown): void {
    if (this.raw(name) !== undefined) return;
    this.fallbacks.set(name, Array.isArray(fallback) ? fallback.join(',') : String(fallback));
  }

  /** A raw value, trimmed; empty counts as unset so `FOO=` in a .env file means "use the default". */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  problem(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }

  string(
    name: string,
    fallback: string,
    options: { pattern?: RegExp; hint?: string } = {},
  ): string {
    this.noteDefault(name, fallback);
    const value = this.raw(name) ?? fallback;
    if (options.pattern && !options.pattern.test(value)) {
      this.problem(
        name,
        `${options.hint ?? `must match ${options.pattern}`}, got ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(
    name: string,
    fallback: number,
    { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
  ): number {
    this.noteDefault(name, fallback);
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) {
      this.problem(name, `must be an integer, got ${JSON.stringify(value)}`);
      return fallback;
    }
    const parsed = Number(value);
    if (parsed < min || parsed > max) {
      this.problem(name, `must be between ${min} and ${max}, got ${parsed}`);
      return fallback;
    }
    return parsed;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65_535 });
  }

  bool(name: string, fallback: boolean): boolean {
    this.noteDefault(name, fallback);
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problem(name, `must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  }

  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    this.noteDefault(name, fallback);
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: readonly string[]): URL {
    this.noteDefault(name, fallback);
    const value = this.raw(name) ?? fallback;
    try {
      const url = new URL(value);
      if (!protocols.includes(url.protocol)) {
        this.problem(
          name,
          `must use ${protocols.join(' or ')}, got ${JSON.stringify(url.protocol)}`,
        );
        return new URL(fallback);
      }
      return url;
    } catch {
      this.problem(name, `must be a URL, got ${JSON.stringify(redactUrlText(value))}`);
      return new URL(fallback);
    }
  }

  list(name: string, fallback: readonly string[]): string[] {
    this.noteDefault(name, fallback);
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) {
      this.problem(name, 'must list at least one value, separated by commas');
      return [...fallback];
    }
    return items;
  }

  /** Throws one ConfigError naming every variable that failed. */
  assertValid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/**
 * Parses a whole configuration once, at start-up. `build` reads variables with the reader and
 * returns the typed config; any bad variable makes this throw a ConfigError naming them all.
 */
export function readConfig<T>(env: Environment, build: (reader: EnvReader) => T): T {
  const reader = new EnvReader(env);
  const config = build(reader);
  defaultsCollector?.(reader.defaultsUsed());
  reader.assertValid();
  return config;
}

let defaultsCollector: ((defaults: ReadonlyMap<string, string>) => void) | undefined;

/**
 * Every variable a loader reads and the default it gives it, by running the loader on an empty
 * environment: what a test compares with the defaults a README documents.
 */
export function configDefaults(load: (env: Environment) => unknown): Map<string, string> {
  const defaults = new Map<string, string>();
  defaultsCollector = (used) => used.forEach((value, name) => defaults.set(name, value));
  try {
    load({});
  } finally {
    defaultsCollector = undefined;
  }
  return defaults;
}

/** Hides a password in URL-like text before it reaches a log or an error message. */
export function redactUrlText(text: string): string {
  return text.replace(/\/\/([^:/@]+):([^@/]*)@/, '//$1:***@');
}
