import Fastify, { type FastifyInstance } from 'fastify';

/** The simulated instrument API; routes are declared with their schemas. */
export function buildApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get(
    '/ping',
    {
      schema: {
        response: {
          200: { type: 'object', required: ['ping'], properties: { ping: { type: 'string' } } },
        },
      },
    },
    async () => ({ ping: 'pong!' }),
  );
  return app;
}
