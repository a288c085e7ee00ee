import { errorMessage } from '@geostream/platform';

/**
 * One HTTP GET with a deadline, classified. Never throws: every way a request can fail is an
 * outcome the poller counts and retries. A 2xx body is returned whatever it contains; whether
 * it is an envelope is for the splitter to say.
 */
export type FetchOutcome =
  | {
      readonly kind: 'ok';
      readonly status: number;
      readonly body: Buffer;
      readonly contentType: string | undefined;
    }
  | { readonly kind: 'http_error'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string };

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export async function fetchResponse(
  url: string,
  timeoutMs: number,
  fetchImpl: Fetch = fetch,
): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { signal });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'http_error', status: response.status };
    }
    const body = Buffer.from(await response.arrayBuffer());
    return {
      kind: 'ok',
      status: response.status,
      body,
      contentType: response.headers.get('content-type') ?? undefined,
    };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    return {
      kind: 'network',
      message: errorMessage((error as { cause?: unknown }).cause ?? error),
    };
  }
}

/** The API error kind a failed fetch counts under: http_500, timeout, network. */
export function apiErrorKind(outcome: Exclude<FetchOutcome, { kind: 'ok' }>): string {
  return outcome.kind === 'http_error' ? `http_${outcome.status}` : outcome.kind;
}
