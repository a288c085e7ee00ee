import type { FastifyError, FastifyInstance } from 'fastify';
import { BadRequestError } from '../errors';
import type { ErrorBody } from '../api/schemas';

/**
 * One error shape for the whole API: `{ statusCode, error, code, message, reasons }`. A request
 * that fails its schema is a 400 listing every bad parameter; a BadRequestError is its status
 * with its reasons; anything else is logged and answered as a 500 that reveals nothing.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const reasons = error.validation.map((problem) => {
        const where = `${error.validationContext ?? 'request'}${problem.instancePath.replace(/\//g, '.') || ''}`;
        const params = problem.params as { allowedValues?: unknown[]; additionalProperty?: string };
        if (params.additionalProperty !== undefined) {
          return `${where}: unknown parameter ${JSON.stringify(params.additionalProperty)}`;
        }
        const allowed = params.allowedValues ? ` (${params.allowedValues.join(', ')})` : '';
        return `${where} ${problem.message ?? 'is invalid'}${allowed}`;
      });
      return reply.code(400).send(body(400, 'Bad Request', 'invalid_parameters', reasons));
    }
    if (error instanceof BadRequestError) {
      return reply
        .code(error.statusCode)
        .send(body(error.statusCode, 'Bad Request', error.code, [...error.reasons]));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply
        .code(status)
        .send(body(status, 'Client Error', error.code ?? 'client_error', [error.message]));
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send(
        body(500, 'Internal Server Error', 'internal_error', ['the server failed; see its log']),
      );
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        body(404, 'Not Found', 'not_found', [
          `no route ${request.method} ${request.url.split('?')[0]}`,
        ]),
      );
  });
}

function body(statusCode: number, error: string, code: string, reasons: string[]): ErrorBody {
  return { statusCode, error, code, message: reasons.join('; '), reasons };
}
