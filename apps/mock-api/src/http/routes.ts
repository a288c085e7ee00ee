import { INSTRUMENT_TYPES, isInstrumentType } from '@geostream/instrument-schemas';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultRates } from '../simulation/faults';
import type { Simulator, Target } from '../simulation/simulator';
import {
  AllEnvelopesSchema,
  ErrorSchema,
  InstrumentParamsSchema,
  PingSchema,
  WireEnvelopeSchema,
} from './schemas';

export interface RouteDeps {
  readonly simulator: Simulator;
  readonly faults: FaultRates;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The reference API's routes, extended to all five types. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  let requestNumber = 0;

  const respond = async (reply: FastifyReply, target: Target): Promise<FastifyReply> => {
    const response = deps.simulator.respond(target, deps.now(), requestNumber++, deps.faults);
    const faults: string[] = [];
    if (response.delayMs > 0) {
      faults.push('slow');
      await deps.sleep(response.delayMs);
    }
    switch (response.kind) {
      case 'ok':
        if (faults.length > 0) reply.header('x-simulated-fault', faults.join(','));
        // JSON.stringify, not the schema's compiled serialiser: with items declared as any JSON
        // value, fast-json-stringify is three times slower on a 5,000-item envelope (measured),
        // and it writes the same bytes. A unit test checks responses against the schema.
        return reply.type(JSON_CONTENT_TYPE).send(JSON.stringify(response.body));
      case 'http_500':
        faults.push('http_500');
        return reply
          .code(500)
          .header('x-simulated-fault', faults.join(','))
          .send({ error: 'simulated_failure', message: 'simulated internal server error' });
      case 'garbage':
        faults.push(`garbage:${response.garbage}`);
        // A string or Buffer with its content type set goes out byte for byte, unserialised.
        return reply
          .header('x-simulated-fault', faults.join(','))
          .header('content-type', response.payload.contentType)
          .send(response.payload.body);
    }
  };

  app.get(
    '/ping',
    {
      schema: {
        summary: 'Liveness check, as in the reference API',
        response: { 200: PingSchema },
      },
    },
    async () => ({ ping: 'pong!' as const }),
  );

  app.get(
    '/params/all',
    {
      schema: {
        summary: 'Current readings of every instrument type',
        description:
          'One envelope per type under `envelopes`. Faults apply per item within each envelope and per request to the whole response.',
        response: { 200: AllEnvelopesSchema, 500: ErrorSchema },
      },
    },
    async (_request, reply) => respond(reply, 'all'),
  );

  app.get<{ Params: { instrument: string } }>(
    '/params/:instrument',
    {
      schema: {
        summary: 'Current readings of one instrument type',
        params: InstrumentParamsSchema,
        response: { 200: WireEnvelopeSchema, 404: ErrorSchema, 500: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { instrument } = request.params;
      if (!isInstrumentType(instrument)) {
        return reply.code(404).send({
          error: 'unknown_instrument',
          message: `unknown instrument type ${JSON.stringify(instrument)}`,
          known_instruments: [...INSTRUMENT_TYPES, 'all'],
        });
      }
      return respond(reply, instrument);
    },
  );
}
