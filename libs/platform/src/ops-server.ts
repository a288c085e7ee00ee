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

export interface OpsServerOptions {
  readonly service: string;
  readonly registry: Registry;
  readonly health: () => HealthReport | Promise<HealthReport>;
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

const healthSchema = {
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

export function buildOpsServer(options: OpsServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get(
    '/health',
    { schema: { response: { 200: healthSchema, 503: healthSchema } } },
    async (_request, reply) => {
      const report = await options.health();
      return reply
        .code(report.status === 'down' ? 503 : 200)
        .send({ service: options.service, ...report });
    },
  );
  app.get(
    '/metrics',
    { schema: { response: { 200: { type: 'string' } } } },
    async (_request, reply) => {
      const text = await options.registry.metrics();
      return reply.type(options.registry.contentType).send(text);
    },
  );
  return app;
}
