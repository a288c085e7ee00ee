import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserRole } from '@geostream/sinks/names';
import { BadRequestError } from '../errors';
import { constantTimeEquals, parseCookies } from '../http/access-token';
import type { Authorizer } from './require-role';
import type { Session, SessionStore } from './sessions';
import { roleAtLeast } from './users';

/**
 * Who is asking. A named user signed in with a session cookie acts with their role; anyone
 * else who passed the access check (the shared DASHBOARD_TOKEN of a wall screen, or anybody
 * when no token is set) only reads: role viewer, and no name to act under.
 */
export type Principal =
  { readonly kind: 'user'; readonly session: Session } | { readonly kind: 'reader' };

export const USER_SESSION_COOKIE = 'geostream_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const READER: Principal = { kind: 'reader' };

export function roleOf(principal: Principal): UserRole {
  return principal.kind === 'user' ? principal.session.role : 'viewer';
}

/** Role-based authorizer for requireRole: a user's role, viewer for everyone else. */
export const authorizeByRole: Authorizer = (request, role) =>
  roleAtLeast(roleOf(request.principal), role);

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Resolves the principal of every request from the session cookie (before the access check,
 * which lets a signed-in user through whether or not a DASHBOARD_TOKEN is set), and checks the
 * CSRF token of every state-changing API request made with that cookie: the session's token in
 * the X-CSRF-Token header (the page reads it from /api/auth/me). SameSite=Strict already keeps
 * the cookie off other sites' requests; the header is the second lock.
 */
export function registerPrincipal(
  app: FastifyInstance,
  sessions: SessionStore,
  clock: () => number,
): void {
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (request) => {
    request.principal = READER;
    const token = parseCookies(request.headers.cookie).get(USER_SESSION_COOKIE);
    if (token === undefined || token === '' || token.length > 200) return;
    const session = await sessions.find(token, clock());
    if (session === undefined) return;
    request.principal = { kind: 'user', session };
    // By the route matched, not the URL as sent: '/%61pi/...' reaches the same API route.
    const route = request.routeOptions.url;
    if (STATE_CHANGING.has(request.method) && route !== undefined && route.startsWith('/api/')) {
      const offered = request.headers[CSRF_HEADER];
      if (typeof offered !== 'string' || !constantTimeEquals(offered, session.csrfToken))
        throw new BadRequestError(
          'csrf_token_invalid',
          [`a signed-in request that changes something needs the ${CSRF_HEADER} header`],
          403,
        );
    }
  });
}

/** The user acting, or a 401 for a reader (who may look but not act). */
export function actingUser(request: FastifyRequest): Session {
  const principal = request.principal;
  if (principal.kind !== 'user')
    throw new BadRequestError('sign_in_required', ['sign in as a named user to do this'], 401);
  return principal.session;
}

export function setUserSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeS: number,
): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'set-cookie',
    `${USER_SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`,
  );
}

export function clearUserSessionCookie(reply: FastifyReply): void {
  reply.header(
    'set-cookie',
    `${USER_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
  );
}
