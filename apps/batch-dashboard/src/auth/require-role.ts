import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { UserRole } from '@geostream/sinks/names';
import { BadRequestError } from '../errors';

/**
 * Who may change what: the one seam. Routes that change shared things declare
 * `preHandler: requireRole('engineer' | 'admin')`; the decision is the app's `authorizer`.
 * The dashboard runs with the named users' roles (src/auth/principal.ts: authorizeByRole,
 * passed by main.ts); buildApp's default, for tests that do not exercise roles, admits every
 * request that passed the access check.
 */
export type Role = UserRole;

export type Authorizer = (request: FastifyRequest, role: Role) => boolean | Promise<boolean>;

/** Today's rule: whoever passed the access check is an admin. */
export const admitAccessChecked: Authorizer = () => true;

declare module 'fastify' {
  interface FastifyInstance {
    authorizeRole: Authorizer;
  }
}

export function registerAuthorization(
  app: FastifyInstance,
  authorizer: Authorizer = admitAccessChecked,
): void {
  app.decorate('authorizeRole', authorizer);
}

export function requireRole(role: Role): preHandlerAsyncHookHandler {
  return async function checkRole(request) {
    if (!(await request.server.authorizeRole(request, role))) {
      throw new BadRequestError('forbidden', [`this needs the ${role} role`], 403);
    }
  };
}
