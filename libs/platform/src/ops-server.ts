import Fastify, { type FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The operational endpoints every long-running app exposes: `/health` (200 when healthy, 503
 * with the reasons otherwise) and `/metrics` in Prometheus text format.
 */
export interface HealthReport {
  readonly status: 'ok' | 'degraded' | 'down';
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly detail?: string }>>;
}

/** What /metrics serves: a registry, or anything that writes the same text (metrics summed over threads). */
export type MetricsSource = Pick<Registry, 'contentType' | 'metrics'>;

export interface OpsServerOptions {
  readonly service: string;
  readonly registry: MetricsSource;
  readonly health: () => HealthReport | Promise<HealthReport>;
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** The one shape of `/health` on every app: `{ service, status, checks: { name: { ok, detail? } } }`. */
export const HEALTH_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['service', 'status', 'checks'],
  properties: {
    service: { type: 'string' },
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

export interface HealthRouteOptions {
  readonly service: string;
  readonly health: () => HealthReport | Promise<HealthReport>;
  /** Extra route options (an app's access-control flag, a querystring schema). */
  readonly route?: {
    readonly config?: Record<string, unknown>;
    readonly schema?: Record<string, unknown>;
  };
}

/** GET /health: 200 when ok or degraded, 503 when down, in the one shape every app shares. */
export function registerHealthRoute(app: FastifyInstance, options: HealthRouteOptions): void {
  app.get(
    '/health',
    {
      ...(options.route?.config && { config: options.route.config }),
      schema: {
        summary: 'Health: ok, degraded (still serving) or down (503), with each check',
        tags: ['ops'],
        ...options.route?.schema,
        response: { 200: HEALTH_RESPONSE_SCHEMA, 503: HEALTH_RESPONSE_SCHEMA },
      },
    },
    async (_request, reply) => {
      const report = await options.health();
      return reply
        .code(report.status === 'down' ? 503 : 200)
        .send({ service: options.service, ...report });
    },
  );
}

/** GET /metrics: the registry in Prometheus's text format. */
export function registerMetricsRoute(
  app: FastifyInstance,
  registry: MetricsSource,
  route: HealthRouteOptions['route'] = {},
): void {
  app.get(
    '/metrics',
    {
      ...(route.config && { config: route.config }),
      schema: {
        summary: 'Metrics in the Prometheus text format',
        tags: ['ops'],
        ...route.schema,
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}

export function buildOpsServer(options: OpsServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  registerHealthRoute(app, options);
  registerMetricsRoute(app, options.registry);
  return app;
}
