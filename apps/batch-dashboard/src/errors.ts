import { GeostreamError } from '@geostream/platform';

/**
 * A request the dashboard refuses, with a stable code and the reasons, answered as a 400 (or the
 * status given). Schema validation covers the shape of every parameter; this covers what a schema
 * cannot say (a cursor from another sort, `from` after `to`).
 */
export class BadRequestError extends GeostreamError {
  readonly statusCode: number;
  readonly reasons: readonly string[];

  constructor(code: string, reasons: readonly string[], statusCode = 400) {
    super(code, reasons.join('; '), { details: { reasons } });
    this.statusCode = statusCode;
    this.reasons = reasons;
  }
}
