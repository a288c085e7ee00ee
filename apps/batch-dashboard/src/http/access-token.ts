import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Optional access control (DASHBOARD_TOKEN). When a token is configured:
 * - the API accepts `Authorization: Bearer <token>` (scripts, curl) or the session cookie;
 * - the page sends a browser without the cookie to /dashboard/login, whose form (or a link
 *   with ?token=…, for a bookmark on a site tablet) exchanges the token for an HttpOnly,
 *   SameSite=Strict cookie; the page's fetches and the event stream then carry the cookie.
 * The cookie holds its expiry and an HMAC of it keyed by the token, never the token itself: it
 * is refused after DASHBOARD_SESSION_MAX_AGE_S (12 h by default) whatever the browser keeps, and
 * changing the token ends every session. It is `Secure` when the request came over HTTPS, which
 * behind a TLS-terminating proxy fastify knows only with TRUST_PROXY set (X-Forwarded-Proto).
 * Every comparison hashes both sides and compares the digests in constant time.
 * Routes with `config: { public: true }` (health, the login page, the static bundles, which
 * hold code and no data) are always open.
 */
export const SESSION_COOKIE = 'geostream_dashboard';
export const DEFAULT_SESSION_MAX_AGE_S = 12 * 3600;

export interface SessionOptions {
  readonly maxAgeS: number;
  /** Wall clock in ms. */
  readonly now: () => number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export interface AccessControl {
  readonly enabled: boolean;
  tokenMatches(candidate: string | undefined): boolean;
  isAuthenticated(request: FastifyRequest): boolean;
  setSessionCookie(request: FastifyRequest, reply: FastifyReply): void;
  clearSessionCookie(reply: FastifyReply): void;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function constantTimeEquals(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

export function createAccessControl(
  token: string | undefined,
  sessions: SessionOptions = { maxAgeS: DEFAULT_SESSION_MAX_AGE_S, now: Date.now },
): AccessControl {
  const sign = (expiresAtS: number): string =>
    createHmac('sha256', token ?? '')
      .update(`geostream-dashboard-session-v2.${expiresAtS}`)
      .digest('base64url');
  const tokenMatches = (candidate: string | undefined): boolean =>
    token !== undefined && candidate !== undefined && constantTimeEquals(candidate, token);
  /** `<expiry, s since epoch>.<signature>`: valid while signed by this token and not expired. */
  const sessionValid = (cookie: string): boolean => {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (!match) return false;
    const expiresAtS = Number(match[1]);
    return (
      constantTimeEquals(match[2] as string, sign(expiresAtS)) && sessions.now() < expiresAtS * 1000
    );
  };
  return {
    enabled: token !== undefined,
    tokenMatches,
    isAuthenticated(request) {
      if (token === undefined) return true;
      const authorization = request.headers.authorization;
      if (authorization !== undefined && /^Bearer /i.test(authorization)) {
        return tokenMatches(authorization.slice(7).trim());
      }
      const cookie = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
      return cookie !== undefined && sessionValid(cookie);
    },
    setSessionCookie(request, reply) {
      if (token === undefined) return;
      const expiresAtS = Math.floor(sessions.now() / 1000) + sessions.maxAgeS;
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${expiresAtS}.${sign(expiresAtS)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${sessions.maxAgeS}${secure}`,
      );
    },
    clearSessionCookie(reply) {
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
      );
    },
  };
}

/** Guards every route that is not public: 401 for the API, a redirect to the login page otherwise. */
export function registerAccessGuard(
  app: FastifyInstance,
  access: AccessControl,
  publicPrefixes: readonly string[],
): void {
  if (!access.enabled) return;
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public === true) return;
    // By the matched route, not the raw URL, so no spelling of a path can slip past.
    const route = request.routeOptions.url ?? '';
    if (publicPrefixes.some((prefix) => route.startsWith(prefix))) return;
    const offered = (request.query as Record<string, unknown> | undefined)?.['token'];
    if (typeof offered === 'string' && !request.url.startsWith('/api')) {
      // ?token= exchange: a valid token becomes the session cookie, and the token leaves the
      // address bar (and the history) by a redirect to the same page without it.
      if (!access.tokenMatches(offered)) return reply.redirect('/dashboard/login?failed=1', 303);
      access.setSessionCookie(request, reply);
      return reply.redirect(request.url.split('?')[0] ?? '/dashboard/', 303);
    }
    // A named user signed in (src/auth/principal.ts) passes, token or not.
    if (request.principal?.kind === 'user') return;
    if (access.isAuthenticated(request)) return;
    if (
      request.url.startsWith('/api/') ||
      request.url === '/api' ||
      request.url.startsWith('/metrics')
    ) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="geostream-dashboard"')
        .send({
          statusCode: 401,
          error: 'Unauthorized',
          code: 'unauthorized',
          message: 'a valid access token is required',
          reasons: ['send Authorization: Bearer <DASHBOARD_TOKEN>, or sign in at /dashboard/login'],
        });
    }
    return reply.redirect('/dashboard/login', 303);
  });
}
