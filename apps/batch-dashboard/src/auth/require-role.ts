import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { BadRequestError } from '../errors';

/**
 * Who may change what: the one seam. Routes that change shared things (today: the plan's site
 * drawings) declare `preHandler: requireRole('admin')`; the decision is the app's `authorizer`.
 *
 * PLACEHOLDER until users and roles exist (issue #12): the default authorizer admits every
 * request that reached the route, i.e. that passed the access check (DASHBOARD_TOKEN, when set:
 * src/http/access-token.ts). #12 passes its own authorizer to registerAuthorization and
 * nothing else changes.
 */
export type Role = 'admin';

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
