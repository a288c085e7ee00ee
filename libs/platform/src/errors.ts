/**
 * One error family for the whole platform. Every error has a stable `code` that callers and
 * tests switch on (never the message), says whether retrying can help (`retriable`), and keeps
 * the third-party error that caused it in `cause`.
 */
export interface GeostreamErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class GeostreamError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: GeostreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
  }
}

export interface ConfigProblem {
  /** The environment variable at fault, e.g. `KAFKA_BROKERS`. */
  readonly variable: string;
  readonly message: string;
}

/** Start-up configuration is invalid; lists every bad variable at once, by name. */
export class ConfigError extends GeostreamError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
      { details: { variables: problems.map((p) => p.variable) } },
    );
    this.problems = problems;
  }
}

/** A dependency (Kafka, PostgreSQL, Elasticsearch, an HTTP API) failed; `retriable` says if waiting may help. */
export class DependencyError extends GeostreamError {
  constructor(
    code: string,
    message: string,
    options: GeostreamErrorOptions & { readonly dependency: string },
  ) {
    super(code, message, {
      ...options,
      details: { ...options.details, dependency: options.dependency },
    });
  }
}

/** True when an error says retrying may succeed: our own flag first, then well-known transient causes. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof GeostreamError) return error.retriable;
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { retriable?: unknown; code?: unknown };
  if (typeof candidate.retriable === 'boolean') return candidate.retriable;
  return typeof candidate.code === 'string' && TRANSIENT_SYSTEM_CODES.has(candidate.code);
}

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  '57P01', // PostgreSQL admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003',
  '08006',
  '08001',
  '08004',
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** The message of anything thrown, for logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
