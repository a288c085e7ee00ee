import { GeostreamError } from '@geostream/platform';
import { SinkRejectedError, SinkUnavailableError } from '../errors';

/**
 * SQLSTATE classes where waiting can help: connection exceptions (08), transaction rollbacks
 * such as serialization failures and deadlocks (40), insufficient resources (53), operator
 * intervention such as shutdowns and statement timeouts (57), system errors (58), and
 * lock_not_available (55P03).
 */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);
const TRANSIENT_STATES = new Set(['55P03']);

/** Node and pg-pool failures that mean the server cannot be reached right now. */
const CONNECTION_MESSAGE =
  /connection terminated|connection refused|connection reset|timeout|timed out|not queryable|ECONN|EPIPE|socket|terminating connection/i;

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** True when a PostgreSQL, pg or knex error says the database may accept the same work later. */
export function isTransientPostgresError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const state = sqlState(error);
  if (state) return TRANSIENT_CLASSES.has(state.slice(0, 2)) || TRANSIENT_STATES.has(state);
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ...
  if (name === 'KnexTimeoutError' || name === 'AggregateError') return true;
  return typeof message === 'string' && CONNECTION_MESSAGE.test(message);
}

/**
 * SQLSTATE classes that blame the data: 22 (data exception: a value out of range, a bad
 * encoding) and 23 (integrity constraint violation: a check, not null, unique).
 */
const RECORD_CLASSES = new Set(['22', '23']);

/** Wraps anything thrown at the PostgreSQL edge in the sink's typed errors. */
export function postgresSinkError(
  operation: string,
  error: unknown,
): SinkUnavailableError | SinkRejectedError | GeostreamError {
  if (error instanceof GeostreamError) return error;
  const state = sqlState(error);
  const details = state
    ? { sqlState: state, refusesRecords: RECORD_CLASSES.has(state.slice(0, 2)) }
    : {};
  const context = { sink: 'postgres' as const, operation, cause: error, details };
  return isTransientPostgresError(error)
    ? new SinkUnavailableError(context)
    : new SinkRejectedError(context);
}
