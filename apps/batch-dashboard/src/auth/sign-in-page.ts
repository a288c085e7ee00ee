import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signInPageHtml } from '../http/pages';
import { MAX_PASSWORD_LENGTH } from './passwords';
import { setUserSessionCookie } from './principal';
import { signIn, type SignInDeps } from './sign-in';

/**
 * The named users' sign-in page: a plain form (no script: the page's CSP allows none inline),
 * posted to itself. Success sets the session cookie and goes to the alarms; a failure comes
 * back with a message that says no more than "wrong name or password" or "locked for now".
 * Nothing from the request is written into the HTML.
 */
export const SIGN_IN_PATH = '/dashboard/signin';

function signInHtml(message: string | undefined, tokenPage: boolean): string {
  return signInPageHtml(
    SIGN_IN_PATH,
    `<label for="username">User name</label>
  <input id="username" name="username" autocomplete="username" required autofocus maxlength="64">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${MAX_PASSWORD_LENGTH}">
  ${message === undefined ? '' : `<p class="error">${message}</p>`}
  <button type="submit">Sign in</button>
  ${
    tokenPage
      ? '<p class="alt"><a href="/dashboard/login">Wall screen? Sign in with the access token</a></p>'
      : '<p class="alt"><a href="/dashboard/">Back to the dashboard</a></p>'
  }`,
  );
}

const MESSAGES = {
  failed: 'Wrong user name or password.',
  locked: 'Too many failed attempts: try again later.',
} as const;

/**
 * True for a request another site made: by Sec-Fetch-Site where the browser sends it, else by
 * Origin. (Under Referrer-Policy: no-referrer, Chromium sends `Origin: null` on same-origin
 * form posts, so Origin alone cannot tell; Sec-Fetch-Site can.)
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  return (
    origin !== undefined && origin !== 'null' && origin !== `${request.protocol}://${request.host}`
  );
}

export function registerSignInPage(
  app: FastifyInstance,
  deps: SignInDeps & { readonly sessionMaxAgeS: number; readonly tokenPage: boolean },
): void {
  const noStore = { 'cache-control': 'no-store' };
  app.get(
    SIGN_IN_PATH,
    {
      config: { public: true },
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            failed: Type.Optional(Type.String({ maxLength: 5 })),
            locked: Type.Optional(Type.String({ maxLength: 5 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    (request, reply) => {
      const query = request.query as { failed?: string; locked?: string };
      const message =
        query.locked !== undefined
          ? MESSAGES.locked
          : query.failed !== undefined
            ? MESSAGES.failed
            : undefined;
      return reply
        .code(message === undefined ? 200 : 401)
        .type('text/html; charset=utf-8')
        .headers(noStore)
        .send(signInHtml(message, deps.tokenPage));
    },
  );
  app.post(
    SIGN_IN_PATH,
    {
      config: { public: true },
      schema: {
        hide: true,
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      // Another site's form cannot sign a browser in here (login CSRF): same origin only.
      if (crossSite(request))
        return reply.code(403).type('text/plain').send('cross-site sign-in refused');
      const { username, password } = request.body as { username: string; password: string };
      const result = await signIn(deps, request, username, password);
      if (!result.ok)
        return reply.redirect(
          `${SIGN_IN_PATH}?${result.reason === 'locked' ? 'locked' : 'failed'}=1`,
          303,
        );
      setUserSessionCookie(request, reply, result.token, deps.sessionMaxAgeS);
      return reply.redirect('/dashboard/#/alarms', 303);
    },
  );
}
