import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { USER_ROLES, type UserRole } from '@geostream/sinks/names';
import { ErrorResponse, NoQuery } from '../api/schemas';
import { BadRequestError } from '../errors';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './passwords';
import { actingUser, clearUserSessionCookie, roleOf, setUserSessionCookie } from './principal';
import { requireRole } from './require-role';
import { signIn, type SignInDeps } from './sign-in';
import { USERNAME_PATTERN } from './users';

/**
 * The session API: sign in and out, who am I, my sessions; and the admin's users API. Every
 * change of a user that should end their sessions (disabled, new password, removed) revokes
 * them at once.
 */
export interface AuthRouteDeps extends SignInDeps {
  readonly sessionMaxAgeS: number;
}

const ErrorRef = Type.Ref(ErrorResponse);
const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorRef]));

const RoleParam = Type.Unsafe<UserRole>({ type: 'string', enum: [...USER_ROLES] });
const Username = Type.String({ pattern: USERNAME_PATTERN, maxLength: 64 });
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const DisplayName = Type.String({ minLength: 1, maxLength: 200 });

const UserSchema = Type.Object({
  username: Type.String(),
  display_name: Type.String(),
  role: RoleParam,
  disabled: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const MeSchema = Type.Object({
  signed_in: Type.Boolean(),
  role: RoleParam,
  username: Type.Optional(Type.String()),
  display_name: Type.Optional(Type.String()),
  csrf_token: Type.Optional(
    Type.String({
      description: 'send it as X-CSRF-Token with every request that changes something',
    }),
  ),
  expires_at: Type.Optional(Type.String({ format: 'date-time' })),
});

const SessionSchema = Type.Object({
  id: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_seen_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});

const UsernameParams = Type.Object({ username: Username }, { additionalProperties: false });

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const { users, sessions, clock } = deps;
  const tags = ['auth'];

  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in as a named user (sets the session cookie)',
        tags,
        querystring: NoQuery,
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Password },
          { additionalProperties: false },
        ),
        response: { 200: MeSchema, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body as { username: string; password: string };
      const result = await signIn(deps, request, username, password);
      if (!result.ok && result.reason === 'locked') {
        const seconds = Math.max(1, Math.ceil((result.untilMs - clock()) / 1000));
        reply.header('retry-after', String(seconds));
        throw new BadRequestError(
          'too_many_attempts',
          [`too many failed sign-ins: try again in ${seconds} s`],
          429,
        );
      }
      if (!result.ok)
        throw new BadRequestError('invalid_credentials', ['wrong user name or password'], 401);
      setUserSessionCookie(request, reply, result.token, deps.sessionMaxAgeS);
      const s = result.session;
      return {
        signed_in: true,
        role: s.role,
        username: s.username,
        display_name: s.displayName,
        csrf_token: s.csrfToken,
        expires_at: s.expiresAt,
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        summary: 'Sign out: ends this session',
        tags,
        querystring: NoQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (request.principal.kind === 'user')
        await sessions.revoke(request.principal.session.tokenHash, clock());
      clearUserSessionCookie(reply);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/sessions',
    {
      schema: {
        summary: 'My open sessions',
        tags,
        querystring: NoQuery,
        response: { 200: Type.Array(SessionSchema), ...errors(401) },
      },
    },
    async (request) => {
      const me = actingUser(request);
      return sessions.listOf(me.username, me.tokenHash, clock());
    },
  );

  app.delete(
    '/api/auth/sessions/:id',
    {
      schema: {
        summary: 'End one of my sessions',
        tags,
        querystring: NoQuery,
        params: Type.Object({ id: Type.String({ minLength: 16, maxLength: 16 }) }),
        response: { 204: Type.Null(), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const me = actingUser(request);
      const { id } = request.params as { id: string };
      if (!(await sessions.revokeById(id, clock(), me.username)))
        throw new BadRequestError('unknown_session', [`no open session ${id}`], 404);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        summary: 'Change my password (ends my other sessions)',
        tags,
        querystring: NoQuery,
        body: Type.Object(
          { current_password: Password, new_password: Password },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const me = actingUser(request);
      const body = request.body as { current_password: string; new_password: string };
      const user = await users.find(me.username);
      if (!(await verifyPassword(user?.password_hash, body.current_password)))
        throw new BadRequestError('invalid_credentials', ['the current password is wrong'], 403);
      await users.update(me.username, { password: body.new_password });
      await sessions.revokeAllOf(me.username, clock());
      const { token } = await sessions.create(me.username, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        nowMs: clock(),
      });
      setUserSessionCookie(request, reply, token, deps.sessionMaxAgeS);
      return reply.code(204).send();
    },
  );

  // ---- admin: users

  const admin = { preHandler: requireRole('admin') };
  const adminTags = ['admin'];

  app.get(
    '/api/admin/users',
    {
      ...admin,
      schema: {
        summary: 'Every named user',
        tags: adminTags,
        querystring: NoQuery,
        response: { 200: Type.Array(UserSchema), ...errors(401, 403) },
      },
    },
    async () => users.list(),
  );

  app.post(
    '/api/admin/users',
    {
      ...admin,
      schema: {
        summary: 'Add a user',
        tags: adminTags,
        querystring: NoQuery,
        body: Type.Object(
          { username: Username, display_name: DisplayName, role: RoleParam, password: Password },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        username: string;
        display_name: string;
        role: UserRole;
        password: string;
      };
      const user = await users.create({
        username: body.username,
        displayName: body.display_name,
        role: body.role,
        password: body.password,
      });
      request.log.info({ by: actingUser(request).username, user: user.username }, 'user added');
      return reply.code(201).send(user);
    },
  );

  async function keepAnAdmin(username: string, change: { role?: UserRole; disabled?: boolean }) {
    const user = await users.find(username);
    if (user === undefined) throw new BadRequestError('unknown_user', [`no user ${username}`], 404);
    const losesAdmin =
      user.role === 'admin' &&
      !user.disabled &&
      ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
    if (losesAdmin && (await users.enabledAdmins()) <= 1)
      throw new BadRequestError('last_admin', ['the last enabled admin must stay one'], 409);
  }

  app.patch(
    '/api/admin/users/:username',
    {
      ...admin,
      schema: {
        summary:
          "Change a user's name, role, password or access (ends their sessions if disabled or given a new password)",
        tags: adminTags,
        querystring: NoQuery,
        params: UsernameParams,
        body: Type.Object(
          {
            display_name: Type.Optional(DisplayName),
            role: Type.Optional(RoleParam),
            disabled: Type.Optional(Type.Boolean()),
            password: Type.Optional(Password),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { username } = request.params as { username: string };
      const body = request.body as {
        display_name?: string;
        role?: UserRole;
        disabled?: boolean;
        password?: string;
      };
      await keepAnAdmin(username, body);
      const user = await users.update(username, {
        ...(body.display_name !== undefined && { displayName: body.display_name }),
        ...(body.role !== undefined && { role: body.role }),
        ...(body.disabled !== undefined && { disabled: body.disabled }),
        ...(body.password !== undefined && { password: body.password }),
      });
      if (body.disabled === true || body.password !== undefined)
        await sessions.revokeAllOf(username, clock());
      request.log.info({ by: actingUser(request).username, user: username }, 'user changed');
      return user;
    },
  );

  app.delete(
    '/api/admin/users/:username',
    {
      ...admin,
      schema: {
        summary: 'Remove a user (their audit entries stay, under their name)',
        tags: adminTags,
        querystring: NoQuery,
        params: UsernameParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { username } = request.params as { username: string };
      await keepAnAdmin(username, { disabled: true });
      await users.remove(username);
      request.log.info({ by: actingUser(request).username, user: username }, 'user removed');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/admin/users/:username/revoke-sessions',
    {
      ...admin,
      schema: {
        summary: 'End every session of a user',
        tags: adminTags,
        querystring: NoQuery,
        params: UsernameParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const { username } = request.params as { username: string };
      return { revoked: await sessions.revokeAllOf(username, clock()) };
    },
  );
}

/**
 * GET /api/auth/me: who is asking, and the session's CSRF token. Registered whether or not named
 * users are (a dashboard without them answers "a reader"), so the page can always ask.
 */
export function registerWhoAmI(app: FastifyInstance): void {
  app.get(
    '/api/auth/me',
    {
      schema: {
        summary: 'Who is signed in, and the CSRF token of the session',
        tags: ['auth'],
        querystring: NoQuery,
        response: { 200: MeSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      // Without named users (no app schema) every request is a reader.
      const p = request.principal ?? { kind: 'reader' };
      if (p.kind !== 'user') return { signed_in: false, role: roleOf(p) };
      return {
        signed_in: true,
        role: p.session.role,
        username: p.session.username,
        display_name: p.session.displayName,
        csrf_token: p.session.csrfToken,
        expires_at: p.session.expiresAt,
      };
    },
  );
}
