import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { SiteConfig } from '@geostream/instrument-schemas';
import {
  createAlarmStore,
  createLevelChangeStore,
  type AlarmStore,
  type LevelChangeStore,
} from '@geostream/sinks/app';
import { registerAlarmRoutes } from './alarms/alarm-routes';
import { createCsvExports, type CsvExportSettings } from './api/csv-response';
import { registerAuthRoutes } from './auth/auth-routes';
import {
  createLoginThrottle,
  type LoginThrottle,
  type ThrottlePolicy,
} from './auth/login-throttle';
import { registerPrincipal } from './auth/principal';
import { createSessionStore, type SessionStore } from './auth/sessions';
import { registerSignInPage } from './auth/sign-in-page';
import { createUserStore, type UserStore } from './auth/users';
import { registerLevelRoutes } from './levels/level-routes';

/**
 * What the dashboard does in the app schema (APP_PG_SCHEMA), as the app role: named users and
 * their sessions, and the alarms (list, acknowledge, shelve, comment, audit log, notifications).
 * Without it the dashboard only reads the pipeline's outputs, as before.
 */
export interface OperationsDeps {
  /** knex on the app schema, acting as the app role (createAppDatabase). */
  readonly db: Knex;
  readonly schema: string;
  /** How long a session lasts. */
  readonly sessionMaxAgeS: number;
  /** The longest shelf; default the lifecycle's (7 days). */
  readonly maxShelveMs?: number;
  readonly throttle?: ThrottlePolicy;
  /** A trigger-level change was recorded (main.ts wakes the publisher); default: nothing. */
  readonly onLevelChange?: () => void;
}

export interface Operations {
  readonly deps: OperationsDeps;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly throttle: LoginThrottle;
  readonly alarms: AlarmStore;
  readonly levels: LevelChangeStore;
}

export function createOperations(deps: OperationsDeps): Operations {
  return {
    deps,
    users: createUserStore(deps.db),
    sessions: createSessionStore(deps.db, deps.sessionMaxAgeS),
    throttle: createLoginThrottle(deps.db, deps.throttle),
    alarms: createAlarmStore(deps.db, deps.schema),
    levels: createLevelChangeStore(deps.db, deps.schema),
  };
}

/** Before the access guard: who is asking (a signed-in user passes it). */
export function registerOperationsPrincipal(
  app: FastifyInstance,
  ops: Operations,
  clock: () => number,
): void {
  registerPrincipal(app, ops.sessions, clock);
}

export function registerOperationsRoutes(
  app: FastifyInstance,
  ops: Operations,
  options: {
    readonly clock: () => number;
    readonly tokenPage: boolean;
    /** The CSV export limits (the audit log's export on the app schema's pool). */
    readonly csv: CsvExportSettings;
    /** SITE_CONFIG_FILE's configuration: what level changes are laid over. */
    readonly siteConfig: SiteConfig | undefined;
  },
): void {
  const { clock, tokenPage } = options;
  const signInDeps = {
    users: ops.users,
    sessions: ops.sessions,
    throttle: ops.throttle,
    clock,
    sessionMaxAgeS: ops.deps.sessionMaxAgeS,
  };
  registerAuthRoutes(app, signInDeps);
  registerSignInPage(app, { ...signInDeps, tokenPage });
  registerAlarmRoutes(app, {
    db: ops.deps.db,
    store: ops.alarms,
    csvExports: createCsvExports(ops.deps.db, options.csv),
    clock,
    ...(ops.deps.maxShelveMs !== undefined && { maxShelveMs: ops.deps.maxShelveMs }),
  });
  registerLevelRoutes(app, {
    store: ops.levels,
    siteConfig: options.siteConfig,
    clock,
    onChange: ops.deps.onLevelChange ?? (() => undefined),
  });
}
