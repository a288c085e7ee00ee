import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** Ajv as strict as it goes, with the formats fastify also enables. */
export function strictAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv;
}

export function compile(schema: object): ValidateFunction {
  return strictAjv().compile(schema);
}
