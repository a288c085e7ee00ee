import type { FastifyRequest } from 'fastify';
import type { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import type { Session, SessionStore } from './sessions';
import type { UserStore } from './users';

export type SignInResult =
  | { readonly ok: true; readonly token: string; readonly session: Session }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'locked'; readonly untilMs: number };

export interface SignInDeps {
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly clock: () => number;
}

/**
 * One sign-in attempt, for the API and the form alike: refused at once while the account or
 * the address is locked; otherwise the password is verified (as slowly for an unknown or
 * disabled user as for a wrong password, and with the same answer), failures are counted, and
 * a success opens a session.
 */
export async function signIn(
  deps: SignInDeps,
  request: FastifyRequest,
  username: string,
  password: string,
): Promise<SignInResult> {
  const now = deps.clock();
  const name = username.trim().toLowerCase();
  const ip = request.ip;
  const lockedUntil = await deps.throttle.lockedUntil(name, ip, now);
  if (lockedUntil !== undefined) return { ok: false, reason: 'locked', untilMs: lockedUntil };
  const user = await deps.users.find(name);
  const usable = user !== undefined && !user.disabled;
  const matches = await verifyPassword(usable ? user.password_hash : undefined, password);
  if (!usable || !matches) {
    await deps.throttle.recordFailure(name, ip, now);
    request.log.warn({ username: name, ip }, 'sign-in refused');
    return { ok: false, reason: 'invalid' };
  }
  await deps.throttle.recordSuccess(name);
  const { token, session } = await deps.sessions.create(user.username, {
    ip,
    userAgent: request.headers['user-agent'],
    nowMs: now,
  });
  request.log.info({ username: user.username, ip }, 'signed in');
  return { ok: true, token, session };
}
