import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AccessControl } from './access-token';
import { styleNonceOf } from './security-headers';

/**
 * The HTML pages: the dashboard shell (all behaviour is in the bundled app.js; no inline script
 * or style) and, with an access token configured, the sign-in form. Nothing from the data or the
 * request is ever written into HTML here; the only dynamic value is the CSP style nonce.
 */
export const ASSET_PREFIX = '/dashboard/assets/';

function dashboardHtml(styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csp-style-nonce" content="${styleNonce}">
<link rel="icon" href="data:,">
<title>geostream · instrument dashboard</title>
<link rel="stylesheet" href="${ASSET_PREFIX}app.css">
<script src="${ASSET_PREFIX}app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>geostream</h1>
  <nav>
    <a href="#/overview" data-view="overview">Overview</a>
    <a href="#/plan" data-view="plan">Plan</a>
    <a href="#/history" data-view="history">History</a>
    <a href="#/instrument" data-view="instrument">Instrument</a>
    <a href="#/compare" data-view="compare">Compare</a>
    <a href="#/live" data-view="live">Live</a>
    <a href="#/alarms" data-view="alarms">Alarms</a>
    <a href="#/audit" data-view="audit">Audit</a>
    <a href="#/notifications" data-view="notifications">Notifications</a>
    <a href="#/admin" data-view="admin" hidden>Admin</a>
    <a href="/api/docs" class="docs">API</a>
  </nav>
  <span id="live-state" class="live-state" data-state="connecting" title="live connection">connecting…</span>
  <span id="session" class="session"></span>
</header>
<main id="view"><noscript>The dashboard needs JavaScript.</noscript></main>
<aside id="toasts" aria-live="polite"></aside>
</body>
</html>
`;
}

/** A sign-in page: one form, posted to `action`, styled by the bundle's CSS, no script. */
export function signInPageHtml(action: string, fields: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>geostream · sign in</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}app.css">
</head>
<body class="login">
<form method="post" action="${action}" class="login-form">
  <h1>geostream dashboard</h1>
  ${fields}
</form>
</body>
</html>
`;
}

function loginHtml(failed: boolean): string {
  return signInPageHtml(
    '/dashboard/login',
    `<label for="token">Access token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  ${failed ? '<p class="error">That token is not valid.</p>' : ''}
  <button type="submit">Sign in</button>
  <p class="alt"><a href="/dashboard/signin">Sign in with a user name</a></p>`,
  );
}

const noStore = { 'cache-control': 'no-store' };

export function registerPages(app: FastifyInstance, access: AccessControl): void {
  const hidden = { hide: true };
  app.get('/', { schema: hidden, config: { public: true } }, (_request, reply) =>
    reply.redirect('/dashboard/', 302),
  );
  app.get('/dashboard', { schema: hidden, config: { public: true } }, (_request, reply) =>
    reply.redirect('/dashboard/', 302),
  );
  app.get(
    '/dashboard/',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          { token: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: true },
        ),
      },
    },
    (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .headers(noStore)
        .send(dashboardHtml(styleNonceOf(reply.raw))),
  );

  if (!access.enabled) return;

  app.get(
    '/dashboard/login',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ failed: Type.Optional(Type.String({ maxLength: 5 })) }),
      },
      config: { public: true },
    },
    (request, reply) => {
      const failed = (request.query as { failed?: string }).failed !== undefined;
      return reply
        .code(failed ? 401 : 200)
        .type('text/html; charset=utf-8')
        .headers(noStore)
        .send(loginHtml(failed));
    },
  );
  app.post(
    '/dashboard/login',
    {
      schema: {
        hide: true,
        body: Type.Object(
          { token: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
      },
      config: { public: true },
    },
    (request, reply) => {
      const { token } = request.body as { token: string };
      if (!access.tokenMatches(token)) return reply.redirect('/dashboard/login?failed=1', 303);
      access.setSessionCookie(request, reply);
      return reply.redirect('/dashboard/', 303);
    },
  );
  app.post('/dashboard/logout', { schema: hidden, config: { public: true } }, (_request, reply) => {
    access.clearSessionCookie(reply);
    return reply.redirect('/dashboard/login', 303);
  });
}

/** The login form posts application/x-www-form-urlencoded; fastify parses only JSON by default. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4_096 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}
