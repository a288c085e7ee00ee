import { errors } from '@elastic/elasticsearch';
import { GeostreamError } from '@geostream/platform';
import { SinkClosedError, SinkRejectedError, SinkUnavailableError } from '../errors';

/** Whole-request HTTP statuses where waiting can help (the same set as for bulk items). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Wraps anything thrown at the Elasticsearch edge in the sink's typed errors. */
export function elasticsearchSinkError(
  operation: string,
  error: unknown,
): SinkUnavailableError | SinkRejectedError | GeostreamError {
  if (error instanceof GeostreamError) return error;
  const context = { sink: 'elasticsearch' as const, operation, cause: error };
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode ?? 0;
    const withStatus = { ...context, details: { status } };
    return isTransientStatus(status)
      ? new SinkUnavailableError(withStatus)
      : new SinkRejectedError(withStatus);
  }
  // Refused or dropped connections, timeouts, no node alive: the cluster is unreachable.
  if (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    error instanceof errors.RequestAbortedError
  ) {
    return new SinkUnavailableError(context);
  }
  return new SinkRejectedError(context);
}

/**
 * Runs each call of an Elasticsearch writer: refused once it is closed, and anything thrown
 * wrapped in the sink's typed errors.
 */
export function elasticsearchGuard(isClosed: () => boolean) {
  return async function guarded<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (isClosed()) throw new SinkClosedError('elasticsearch', operation);
    try {
      return await work();
    } catch (error) {
      throw elasticsearchSinkError(operation, error);
    }
  };
}
