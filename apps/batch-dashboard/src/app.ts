import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { SiteConfig } from '@geostream/instrument-schemas';
import {
  errorMessage,
  registerHealthRoute,
  type HealthReport,
  type Logger,
} from '@geostream/platform';
import { registerHistoryRoutes } from './api/history-routes';
import { registerInstrumentRoutes } from './api/instrument-routes';
import { DEFAULT_SSE_SETTINGS, registerLiveRoutes, type SseSettings } from './api/live-routes';
import { registerCompareRoutes } from './api/compare-routes';
import { DEFAULT_CSV_LIMITS, createCsvExports, type CsvExportSettings } from './api/csv-response';
import { registerOverviewRoutes } from './api/overview-routes';
import { registerPlanRoutes } from './api/plan-routes';
import { activeAlarmsByInstrument } from './alarms/alarm-query';
import { NoQuery, sharedSchemas } from './api/schemas';
import type { TrustProxy } from './config';
import {
  DEFAULT_SESSION_MAX_AGE_S,
  createAccessControl,
  registerAccessGuard,
} from './http/access-token';
import { registerErrorHandler } from './http/error-handler';
import { ASSET_PREFIX, registerFormParser, registerPages } from './http/pages';
import { registerSecurityHeaders, swaggerUiCsp } from './http/security-headers';
import { registerStaticAssets } from './http/static-assets';
import { registerWhoAmI } from './auth/auth-routes';
import { registerAuthorization, type Authorizer } from './auth/require-role';
import type { LiveFeed } from './live/live-hub';
import {
  createOperations,
  registerOperationsPrincipal,
  registerOperationsRoutes,
  type OperationsDeps,
} from './operations';
import type { StalenessPolicy } from './overview/staleness';
import { effectiveSiteConfig } from './levels/effective-levels';
import type { LevelChangeStore } from '@geostream/sinks/app';
import { levelChangesCheck } from './levels/level-health';
import { registerDashboardMetrics } from './http/dashboard-metrics';

/**
 * The dashboard as a fastify app, apart from listen(): everything it talks to is injected, so
 * tests run it with inject() against a real PostgreSQL and a live feed they drive themselves.
 */
export interface AppDeps {
  /** knex bound to the dashboard's PostgreSQL schema (searchPath), read-only (createDatabase). */
  readonly db: Knex;
  /** The drawings writer (createDrawingsWriter): the admin routes store site drawings with it. */
  readonly drawings: Knex;
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
  /** Export limits (history and comparison CSV); the defaults are the configuration's. */
  readonly csv?: Partial<Omit<CsvExportSettings, 'now'>>;
  /** DASHBOARD_SESSION_MAX_AGE_S; default 12 h. */
  readonly sessionMaxAgeS?: number;
  /** TRUST_PROXY: behind a TLS-terminating proxy, so cookies are Secure. Default false. */
  readonly trustProxy?: TrustProxy;
  /** Who may do what (src/auth/require-role.ts); default: whoever passed the access check. */
  readonly authorize?: Authorizer;
  /** Named users and alarms (the app schema): src/operations.ts. Absent: reads only. */
  readonly operations?: OperationsDeps;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One line per request is noise at a site's request rates; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16_384,
    // fastify takes a hop count too (its documentation, proxy-addr); its types omit the number.
    trustProxy: (deps.trustProxy ?? false) as boolean | string[],
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
  const access = createAccessControl(deps.accessToken, {
    maxAgeS: deps.sessionMaxAgeS ?? DEFAULT_SESSION_MAX_AGE_S,
    now: deps.clock,
  });
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
  registerHealthRoute(app, {
    service: 'batch-dashboard',
    health: () => dashboardHealth(deps.db, deps.live, operations?.levels, deps.clock),
    // Open even with DASHBOARD_TOKEN; it sends no parameters, and an unknown one is a 400.
    route: { config: { public: true }, schema: { querystring: NoQuery } },
  });

  registerDashboardMetrics(app, {
    live: deps.live,
    ...(operations && { levels: operations.levels }),
  });

  // One set of export slots for every CSV route: each export holds a pooled connection.
  const csvSettings = { ...DEFAULT_CSV_LIMITS, ...deps.csv, now: deps.clock };
  const csvExports = createCsvExports(deps.db, csvSettings);
  registerHistoryRoutes(app, deps.db, csvExports);
  registerInstrumentRoutes(app, deps.db, async () =>
    operations ? effectiveSiteConfig(deps.siteConfig, operations.levels) : deps.siteConfig,
  );
  registerOverviewRoutes(app, {
    db: deps.db,
    clock: deps.clock,
    staleness: deps.staleness,
    live: deps.live,
    siteConfig: deps.siteConfig,
  });
  registerPlanRoutes(app, {
    db: deps.db,
    drawings: deps.drawings,
    clock: deps.clock,
    staleness: deps.staleness,
    ...(operations && {
      activeAlarms: (nowMs: number) => activeAlarmsByInstrument(operations.deps.db, nowMs),
    }),
  });
  registerCompareRoutes(app, { db: deps.db, csvExports });
  registerLiveRoutes(app, deps.live, { ...DEFAULT_SSE_SETTINGS, ...deps.sse });
  registerWhoAmI(app);
  if (operations)
    registerOperationsRoutes(app, operations, {
      clock: deps.clock,
      tokenPage: access.enabled,
      csv: csvSettings,
      siteConfig: deps.siteConfig,
    });
  return app;
}

/**
 * Down (503) without the database: nothing can be shown. Degraded while the live feed is not
 * connected: history and drill-down still work, and the page says the live view is behind.
 */
async function dashboardHealth(
  db: Knex,
  live: LiveFeed,
  levels: LevelChangeStore | undefined,
  clock: () => number,
): Promise<HealthReport> {
  const database = await db
    .raw('select 1')
    .then(() => ({ ok: true }))
    .catch((error: unknown) => ({ ok: false, detail: errorMessage(error) }));
  const liveStatus = live.status();
  const liveCheck = { ok: liveStatus === 'live' || liveStatus === 'off', detail: liveStatus };
  const levelCheck = levels && (await levelChangesCheck(levels, clock()));
  const degraded = !liveCheck.ok || (levelCheck !== undefined && !levelCheck.ok);
  const status = !database.ok ? 'down' : degraded ? 'degraded' : 'ok';
  return {
    status,
    checks: { database, live: liveCheck, ...(levelCheck && { level_changes: levelCheck }) },
  };
}
