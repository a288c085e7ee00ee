import { GeostreamError } from '@geostream/platform';
import { SinkRejectedError, SinkUnavailableError } from '../errors';

// kafkajs errors that mean the cluster is unreachable or busy, whatever their `retriable` says
// (KafkaJSNumberOfRetriesExceeded is "non-retriable" only because kafkajs itself gave up).
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

/** Walks an error and what caused it (cause, kafkajs originalError, aggregate errors). */
function* chain(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (typeof error !== 'object' || error === null || depth > 8) return;
  const e = error as Record<string, unknown>;
  yield e;
  yield* chain(e['cause'], depth + 1);
  yield* chain(e['originalError'], depth + 1);
  if (Array.isArray(e['errors'])) for (const inner of e['errors']) yield* chain(inner, depth + 1);
}

export function isTransientKafkaError(error: unknown): boolean {
  for (const e of chain(error)) {
    if (e['retriable'] === true) return true;
    if (typeof e['name'] === 'string' && UNREACHABLE.has(e['name'])) return true;
    if (typeof e['code'] === 'string' && /^E[A-Z]+$/.test(e['code'])) return true;
  }
  return false;
}

/** Broker error types that blame the records themselves, not the request or the cluster. */
const RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

function errorType(error: unknown): string | undefined {
  for (const e of chain(error)) if (typeof e['type'] === 'string') return e['type'];
  return undefined;
}

/** Wraps anything thrown at the Kafka edge in the sink's typed errors. */
export function kafkaSinkError(
  operation: string,
  error: unknown,
): SinkUnavailableError | SinkRejectedError | GeostreamError {
  if (error instanceof GeostreamError) return error;
  const type = errorType(error);
  const context = {
    sink: 'kafka' as const,
    operation,
    cause: error,
    details:
      type !== undefined ? { kafkaErrorType: type, refusesRecords: RECORD_ERRORS.has(type) } : {},
  };
  return isTransientKafkaError(error)
    ? new SinkUnavailableError(context)
    : new SinkRejectedError(context);
}
