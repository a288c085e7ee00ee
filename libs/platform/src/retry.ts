import { isRetriable } from './errors';

/**
 * The one retry loop of the platform: exponential backoff with full jitter, deciding by
 * `retriable`. Sleeping and randomness are injectable so the policy is testable without time.
 */
export interface RetryPolicy {
  /** Attempts after the first; `Infinity` retries until the signal aborts (sink outages). */
  readonly retries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

export interface RetryOptions extends Partial<RetryPolicy> {
  /** Decides whether an error is worth another attempt; defaults to `isRetriable`. */
  readonly shouldRetry?: (error: unknown) => boolean;
  readonly onRetry?: (event: RetryEvent) => void;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

export interface RetryEvent {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...definedOnly(options) };
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.retries || !shouldRetry(error) || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, policy, random);
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/**
 * The "keep trying until told to stop" policy: every failure is retried (transient or not: the
 * caller logs and shows it, but giving up would lose data or crash-loop) with backoff from
 * 100 ms to 5 s, until `signal` aborts. Used for sink writes, checkpoint loads and waiting for
 * services at start-up.
 */
export function retryUntilAborted<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    readonly signal: AbortSignal;
    readonly onRetry?: (event: RetryEvent) => void;
    readonly initialDelayMs?: number;
  },
): Promise<T> {
  const { signal } = options;
  return retry(operation, {
    retries: Infinity,
    initialDelayMs: options.initialDelayMs ?? 100,
    maxDelayMs: 5_000,
    signal,
    shouldRetry: () => !signal.aborted,
    ...(options.onRetry !== undefined && { onRetry: options.onRetry }),
  });
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, initial * factor^attempt)]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  return Math.round(random() * ceiling);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function definedOnly(options: RetryOptions): Partial<RetryPolicy> {
  const out: { -readonly [K in keyof RetryPolicy]?: number } = {};
  for (const key of ['retries', 'initialDelayMs', 'maxDelayMs', 'factor'] as const) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
