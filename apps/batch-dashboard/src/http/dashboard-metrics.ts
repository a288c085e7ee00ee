import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetricsRegistry, registerMetricsRoute } from '@geostream/platform';
import type { LevelChangeStore } from '@geostream/sinks/app';
import { NoQuery } from '../api/schemas';
import type { LiveFeed } from '../live/live-hub';

/**
 * The dashboard's /metrics (open, like /health: counts and timings, nothing a reader could not
 * see): Node's process metrics, every request by route pattern and status class (the pattern,
 * never the URL, so the series stay few), whether the live feed is connected, and the admins'
 * trigger-level changes still waiting for the raw topic.
 */
export function registerDashboardMetrics(
  app: FastifyInstance,
  deps: { readonly live: LiveFeed; readonly levels?: LevelChangeStore },
): void {
  const registry = createMetricsRegistry('batch-dashboard');
  const requests = new Counter({
    name: 'geostream_dashboard_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'geostream_dashboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (a live stream: until it ends), by route pattern',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'geostream_dashboard_live_connected',
    help: '1 while the live feed is connected to Kafka (or switched off), 0 otherwise',
    registers: [registry],
    collect() {
      const status = deps.live.status();
      this.set(status === 'live' || status === 'off' ? 1 : 0);
    },
  });
  const levels = deps.levels;
  if (levels !== undefined)
    new Gauge({
      name: 'geostream_dashboard_level_changes_waiting',
      help: "Admins' trigger-level changes not yet written to the raw topic",
      registers: [registry],
      async collect() {
        // The app database down must not take every other metric with it: keep the last value.
        await levels.backlog().then(
          (waiting) => this.set(waiting),
          () => undefined,
        );
      },
    });

  app.addHook('onResponse', async (request, reply) => {
    // Unmatched requests (404s) share one label: their URLs are anyone's to invent.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({
      route,
      method: request.method,
      status: `${Math.floor(reply.statusCode / 100)}xx`,
    });
    durations.observe({ route }, reply.elapsedTime / 1000);
  });
  registerMetricsRoute(app, registry, {
    config: { public: true },
    schema: { querystring: NoQuery },
  });
}
