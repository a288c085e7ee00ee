/** GET JSON from the dashboard's API (same origin; the session cookie goes along). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reasons: string[],
  ) {
    super(reasons.join('; ') || `HTTP ${status}`);
  }
}

export type QueryValue = string | number | boolean | undefined | readonly string[];

export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else search.append(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export async function getJson<T>(
  path: string,
  params: Record<string, QueryValue> = {},
  signal?: AbortSignal,
): Promise<T> {
  const response = await fetch(`${path}${queryString(params)}`, {
    headers: { accept: 'application/json' },
    credentials: 'same-origin',
    ...(signal && { signal }),
  });
  await throwUnlessOk(response);
  return (await response.json()) as T;
}

/** A 401 sends the browser to sign in; any other failure is an ApiError with the API's reasons. */
async function throwUnlessOk(response: Response): Promise<void> {
  if (response.status === 401) {
    window.location.assign('/dashboard/login');
    throw new ApiError(401, ['signed out']);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { reasons?: string[] };
    throw new ApiError(response.status, body.reasons ?? []);
  }
}

// The signed-in session's CSRF token (web/session.ts sets it from /api/auth/me): the API
// refuses a change made with the session cookie and without it.
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** POST/PUT/PATCH/DELETE JSON to the API; the error's reasons are the API's own. */
export async function sendJson<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T | undefined> {
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(csrfToken !== undefined && { 'x-csrf-token': csrfToken }),
    },
    credentials: 'same-origin',
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  await throwUnlessOk(response);
  return response.status === 204 ? undefined : ((await response.json()) as T);
}
