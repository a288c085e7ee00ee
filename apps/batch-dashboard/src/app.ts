import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { SiteConfig } from '@geostream/instrument-schemas';
import type { Logger } from '@geostream/platform';
import { registerHistoryRoutes } from './api/history-routes';
import { registerInstrumentRoutes } from './api/instrument-routes';
import { DEFAULT_SSE_SETTINGS, registerLiveRoutes, type SseSettings } from './api/live-routes';
import { registerCompareRoutes } from './api/compare-routes';
import { registerOverviewRoutes } from './api/overview-routes';
import { registerPlanRoutes } from './api/plan-routes';
import { NoQuery, sharedSchemas } from './api/schemas';
import { createAccessControl, registerAccessGuard } from './http/access-token';
import { registerErrorHandler } from './http/error-handler';
import { ASSET_PREFIX, registerFormParser, registerPages } from './http/pages';
import { registerSecurityHeaders, swaggerUiCsp } from './http/security-headers';
import { registerStaticAssets } from './http/static-assets';
import { registerAuthorization, type Authorizer } from './auth/require-role';
import type { LiveFeed } from './live/live-hub';
import {
  createOperations,
  registerOperationsPrincipal,
  registerOperationsRoutes,
  type OperationsDeps,
} from './operations';
import type { StalenessPolicy } from './overview/staleness';

/**
 * The dashboard as a fastify app, apart from listen(): everything it talks to is injected, so
 * tests run it with inject() against a real PostgreSQL and a live feed they drive themselves.
 */
export interface AppDeps {
  /** knex bound to the dashboard's PostgreSQL schema (searchPath). */
  readonly db: Knex;
  readonly live: LiveFeed;
  /** Wall clock in ms: staleness is judged against it. */
  readonly clock: () => number;
  readonly accessToken: string | undefined;
  readonly staleness: StalenessPolicy;
  readonly siteConfig: SiteConfig | undefined;
  /** The built browser bundle (see locateWebAssets). */
  readonly assetsDir: string;
  readonly logger?: Logger;
  readonly sse?: Partial<SseSettings>;
  /** Who may do what (src/auth/require-role.ts); default: whoever passed the access check. */
  readonly authorize?: Authorizer;
  /** Named users and alarms (the app schema): src/operations.ts. Absent: reads only. */
  readonly operations?: OperationsDeps;
}

const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    database: { type: 'string' },
    live: { type: 'string' },
  },
} as const;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One line per request is noise at a site's request rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16_384,
    ajv: {
      customOptions: {
        // Unknown parameters are errors (a misspelt filter must not silently match everything).
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true,
      },
    },
  }) as unknown as FastifyInstance;

  for (const schema of sharedSchemas) app.addSchema(schema);
  registerErrorHandler(app);
  registerFormParser(app);
  await registerSecurityHeaders(app);
  const access = createAccessControl(deps.accessToken);
  const operations = deps.operations && createOperations(deps.operations);
  if (operations) registerOperationsPrincipal(app, operations, deps.clock);
  registerAccessGuard(app, access, [ASSET_PREFIX]);
  registerAuthorization(app, deps.authorize);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'geostream batch-dashboard API',
        description:
          'History, drill-down, overview and live events of geotechnical instrument windows. ' +
          'With DASHBOARD_TOKEN set, send Authorization: Bearer <token>.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(deps.accessToken !== undefined && { security: [{ bearer: [] }] }),
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: false,
    transformStaticCSP: () => swaggerUiCsp(app.swaggerCSP),
  });

  await registerStaticAssets(app, deps.assetsDir);
  registerPages(app, access);

  app.get('/api/openapi.json', { schema: { hide: true, querystring: NoQuery } }, async () =>
    app.swagger(),
  );
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness and dependencies',
        tags: ['ops'],
        // The ops checks send no parameters; an unknown one is a 400 as on every other route.
        querystring: NoQuery,
        response: {
          200: healthSchema,
          503: healthSchema,
        },
      },
    },
    async (_request, reply) => {
      const database = await deps.db
        .raw('select 1')
        .then(() => 'ok')
        .catch(() => 'down');
      const status = database === 'ok' ? 'ok' : 'down';
      return reply
        .code(status === 'ok' ? 200 : 503)
        .send({ status, database, live: deps.live.status() });
    },
  );

  registerHistoryRoutes(app, deps.db);
  registerInstrumentRoutes(app, deps.db, deps.siteConfig);
  registerOverviewRoutes(app, {
    db: deps.db,
    clock: deps.clock,
    staleness: deps.staleness,
    live: deps.live,
    siteConfig: deps.siteConfig,
  });
  registerPlanRoutes(app, { db: deps.db, clock: deps.clock, staleness: deps.staleness });
  registerCompareRoutes(app, deps.db);
  registerLiveRoutes(app, deps.live, { ...DEFAULT_SSE_SETTINGS, ...deps.sse });
  if (operations) registerOperationsRoutes(app, operations, deps.clock, access.enabled);
  return app;
}
