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
      readonly cursor: ResponseCursor | undefined;
    }
  | { readonly kind: 'http_error'; readonly status: number }
  /** A body over the limit: refused unread past it, never forwarded. */
  | { readonly kind: 'too_large'; readonly bytes: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string };

/** The resumable-polling headers (mock-api README, "Resumable polling"). */
export interface ResponseCursor {
  /** Where the next request starts (`x-cursor`). */
  readonly next: string;
  /** The page was cut by its limit: ask again at once (`x-cursor-more`). */
  readonly more: boolean;
  /** How much of what was asked for the API no longer keeps (`x-cursor-gap-ms`). */
  readonly gapMs: number;
}

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export function responseCursor(headers: Headers): ResponseCursor | undefined {
  const next = headers.get('x-cursor');
  if (next === null || next === '') return undefined;
  const gapMs = Number(headers.get('x-cursor-gap-ms') ?? '0');
  return {
    next,
    more: headers.get('x-cursor-more') === 'true',
    gapMs: Number.isFinite(gapMs) && gapMs > 0 ? gapMs : 0,
  };
}

export async function fetchResponse(
  url: string,
  timeoutMs: number,
  fetchImpl: Fetch = fetch,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<FetchOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { signal });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'http_error', status: response.status };
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'too_large', bytes: declared };
    }
    const body = await readLimited(response, maxBytes);
    if (body === undefined) return { kind: 'too_large', bytes: maxBytes + 1 };
    return {
      kind: 'ok',
      status: response.status,
      body,
      contentType: response.headers.get('content-type') ?? undefined,
      cursor: responseCursor(response.headers),
    };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    return {
      kind: 'network',
      message: errorMessage((error as { cause?: unknown }).cause ?? error),
    };
  }
}

/** The body, or undefined as soon as it passes `maxBytes` (the rest is not read). */
async function readLimited(response: Response, maxBytes: number): Promise<Buffer | undefined> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, bytes);
}

/** The API error kind a failed fetch counts under: http_500, timeout, network, too_large. */
export function apiErrorKind(outcome: Exclude<FetchOutcome, { kind: 'ok' }>): string {
  return outcome.kind === 'http_error' ? `http_${outcome.status}` : outcome.kind;
}
