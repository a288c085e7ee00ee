import { INSTRUMENT_TYPES, isInstrumentType } from '@geostream/instrument-schemas';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultRates } from '../simulation/faults';
import { parseCursor } from '../simulation/history';
import type { LogRequest, Simulator, Target } from '../simulation/simulator';
import {
  AllEnvelopesSchema,
  ErrorSchema,
  InstrumentParamsSchema,
  LogQuerySchema,
  PingSchema,
  WireEnvelopeSchema,
  type LogQuery,
} from './schemas';

export interface RouteDeps {
  readonly simulator: Simulator;
  readonly faults: FaultRates;
  readonly pageMaxReadings: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The resumable-polling contract's response headers (README: "Resumable polling"). */
export const CURSOR_HEADER = {
  next: 'x-cursor',
  more: 'x-cursor-more',
  gapMs: 'x-cursor-gap-ms',
} as const;

const LOG_DESCRIPTION =
  "With `since` (a cursor from an earlier response's `x-cursor` header), the readings recorded " +
  'after it, oldest first, at most `limit`; without it, the current readings. Every successful ' +
  'response carries `x-cursor` (where the next request starts), `x-cursor-more` (`true` when the ' +
  'page was cut by its limit) and `x-cursor-gap-ms` (how much of what the cursor asked for is ' +
  'no longer kept: readings lost at the source).';

/** The reference API's routes, extended to all five types. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  let requestNumber = 0;

  const respond = async (
    reply: FastifyReply,
    target: Target,
    query: LogQuery,
  ): Promise<FastifyReply> => {
    let log: LogRequest | undefined;
    if (query.since !== undefined) {
      const from = parseCursor(query.since);
      if (from === undefined) {
        return reply.code(400).send({
          error: 'bad_cursor',
          message: `since must be a cursor from an earlier response's x-cursor header, got ${JSON.stringify(query.since)}`,
        });
      }
      log = { from, limit: Math.min(query.limit ?? deps.pageMaxReadings, deps.pageMaxReadings) };
    }
    const response = deps.simulator.respond(target, deps.now(), requestNumber++, deps.faults, log);
    const faults: string[] = [];
    if (response.delayMs > 0) {
      faults.push('slow');
      await deps.sleep(response.delayMs);
    }
    switch (response.kind) {
      case 'ok':
        if (faults.length > 0) reply.header('x-simulated-fault', faults.join(','));
        reply
          .header(CURSOR_HEADER.next, response.cursor.next)
          .header(CURSOR_HEADER.more, String(response.cursor.more))
          .header(CURSOR_HEADER.gapMs, String(response.cursor.gapMs));
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

  app.get<{ Querystring: LogQuery }>(
    '/params/all',
    {
      schema: {
        summary: 'Readings of every instrument type: current, or after a cursor',
        description:
          'One envelope per type under `envelopes`. Faults apply per item within each envelope and per request to the whole response. ' +
          LOG_DESCRIPTION,
        querystring: LogQuerySchema,
        response: { 200: AllEnvelopesSchema, 400: ErrorSchema, 500: ErrorSchema },
      },
    },
    async (request, reply) => respond(reply, 'all', request.query),
  );

  app.get<{ Params: { instrument: string }; Querystring: LogQuery }>(
    '/params/:instrument',
    {
      schema: {
        summary: 'Readings of one instrument type: current, or after a cursor',
        description: LOG_DESCRIPTION,
        params: InstrumentParamsSchema,
        querystring: LogQuerySchema,
        response: { 200: WireEnvelopeSchema, 400: ErrorSchema, 404: ErrorSchema, 500: ErrorSchema },
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
      return respond(reply, instrument, request.query);
    },
  );
}
