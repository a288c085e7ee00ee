import { BatchEnvelopeSchema, ReadingSchema } from '@geostream/instrument-schemas';
import { registerHealthRoute } from '@geostream/platform';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import { registerRoutes } from './http/routes';
import { NO_FAULTS, type FaultRates } from './simulation/faults';
import { createSimulator, type SimulationSettings, type Simulator } from './simulation/simulator';

export interface MockApiOptions {
  readonly simulation: SimulationSettings;
  readonly faults?: FaultRates;
  /** The most items one `?since=` page holds; 10,000 unless given. */
  readonly pageMaxReadings?: number;
  /** The clock readings are stamped with; tests drive it explicitly. */
  readonly now?: () => number;
  /** How a slow-response fault waits; tests replace it. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly logger?: FastifyBaseLogger;
}

export interface MockApp {
  readonly app: FastifyInstance;
  readonly simulator: Simulator;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The simulated instrument API, ready for `inject()` or `listen()`. Routes and their schemas
 * compile when the app is readied, so a broken schema fails the start, not a request.
 */
export function buildApp(options: MockApiOptions): MockApp {
  const simulator = createSimulator(options.simulation);
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // A poller calls every few seconds: per-request log lines would drown everything else.
    logController: new LogController({ disableRequestLogging: true }),
    // The reference API's URLs end in '/'; both spellings work.
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'geostream mock-api',
        version: '1.0.0',
        description:
          'A simulated construction site: five geotechnical instrument types reporting readings, ' +
          'compatible with the reference geotech-parameters API. Deterministic for a given SIM_SEED; ' +
          'optional fault injection (see the README).',
      },
      components: {
        schemas: {
          Reading: ReadingSchema as unknown as Record<string, unknown>,
          BatchEnvelope: BatchEnvelopeSchema as unknown as Record<string, unknown>,
        },
      },
    },
  });
  // Swagger UI's assets come from the installed package; nothing is fetched from a CDN.
  app.register(swaggerUi, { routePrefix: '/docs' });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({
      error: status === 500 ? 'internal_error' : 'bad_request',
      message: status === 500 ? 'internal error' : error.message,
    });
  });

  // The same /health as every other app; the simulator has no dependency that can fail.
  const instruments = Object.values(simulator.site.instruments).reduce((n, l) => n + l.length, 0);
  app.register(async (scope) =>
    registerHealthRoute(scope, {
      service: 'mock-api',
      health: () => ({
        status: 'ok',
        checks: { simulator: { ok: true, detail: `${instruments} instruments` } },
      }),
    }),
  );

  app.register(async (scope) =>
    registerRoutes(scope, {
      simulator,
      faults: options.faults ?? NO_FAULTS,
      pageMaxReadings: options.pageMaxReadings ?? 10_000,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? realSleep,
    }),
  );
  return { app, simulator };
}
