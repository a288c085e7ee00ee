import type { FastifyReply } from 'fastify';
import type { ErrorBody } from '../api/schemas';

/**
 * A hard cap on something long-lived (a CSV export holding a pooled connection, a live stream
 * holding a socket): a request takes a slot for its whole life, or is told to come back later.
 */
export interface Slots {
  /** A release function (call it once, when done), or undefined when every slot is taken. */
  tryTake(): (() => void) | undefined;
  inUse(): number;
}

export function createSlots(capacity: number): Slots {
  let taken = 0;
  return {
    tryTake() {
      if (taken >= capacity) return undefined;
      taken++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        taken--;
      };
    },
    inUse: () => taken,
  };
}

/** 503 with Retry-After, in the API's one error shape. */
export function sendBusy(
  reply: FastifyReply,
  options: { readonly code: string; readonly reason: string; readonly retryAfterS: number },
): FastifyReply {
  const body: ErrorBody = {
    statusCode: 503,
    error: 'Service Unavailable',
    code: options.code,
    message: options.reason,
    reasons: [options.reason],
  };
  return reply.code(503).header('retry-after', String(options.retryAfterS)).send(body);
}
