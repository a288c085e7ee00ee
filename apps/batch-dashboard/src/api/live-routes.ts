import type { FastifyInstance } from 'fastify';
import type { LiveEvent, LiveFeed } from '../live/live-hub';
import { SSE_HEARTBEAT, sseEvent, sseRetry } from '../live/sse';
import { Type } from '@sinclair/typebox';
import { createSlots, sendBusy } from '../http/capacity';
import { ErrorResponse, NoQuery } from './schemas';

export interface SseSettings {
  readonly heartbeatMs: number;
  readonly retryMs: number;
  /** A client that has not taken this many bytes is too slow: it is dropped and reconnects. */
  readonly maxBufferedBytes: number;
  /** Streams open at once (LIVE_MAX_CONNECTIONS); one more is refused with a 503. */
  readonly maxConnections: number;
}

export const DEFAULT_SSE_SETTINGS: SseSettings = {
  heartbeatMs: 15_000,
  retryMs: 2_000,
  maxBufferedBytes: 1_000_000,
  maxConnections: 200,
};

/** How long a refused live client is told to wait (Retry-After; the page retries by itself). */
const LIVE_RETRY_AFTER_S = 15;

/**
 * GET /api/live: server-sent events. On connect: `retry:`, then a `hello` event saying whether
 * the events missed since Last-Event-ID follow (replay: complete) or not (replay: gap, the
 * browser reloads its views); then `window`, `alert` and `status` events as they come, and a
 * heartbeat comment so idle proxies keep the stream open. The browser's EventSource reconnects
 * by itself after a drop or a server restart.
 */
export function registerLiveRoutes(
  app: FastifyInstance,
  live: LiveFeed,
  settings: SseSettings,
): void {
  const connections = new Set<() => void>();
  const slots = createSlots(settings.maxConnections);
  // Before the server stops accepting: open streams would otherwise hold close() forever.
  app.addHook('preClose', async () => {
    for (const close of connections) close();
  });

  app.get(
    '/api/live',
    {
      schema: {
        summary: 'Live events (server-sent events): window, alert, status, hello',
        tags: ['live'],
        produces: ['text/event-stream'],
        querystring: NoQuery,
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 200 } },
        },
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          503: Type.Ref(ErrorResponse),
        },
      },
    },
    (request, reply) => {
      const releaseSlot = slots.tryTake();
      if (releaseSlot === undefined) {
        return sendBusy(reply, {
          code: 'too_many_live_connections',
          reason: `${settings.maxConnections} live connections are open (LIVE_MAX_CONNECTIONS); try again shortly`,
          retryAfterS: LIVE_RETRY_AFTER_S,
        });
      }
      const release: () => void = releaseSlot;
      const lastEventId = request.headers['last-event-id'];
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();

      let closed = false;
      const send = (text: string): void => {
        if (closed) return;
        res.write(text);
        if (res.writableLength > settings.maxBufferedBytes) {
          request.log.warn('live client too slow: dropped (it reconnects and catches up)');
          close();
        }
      };
      const onEvent = (event: LiveEvent): void =>
        send(sseEvent(event.payload.kind, event.payload, event.id));

      const replay = typeof lastEventId === 'string' ? live.replaySince(lastEventId) : undefined;
      send(sseRetry(settings.retryMs));
      send(
        sseEvent('hello', {
          instance: live.instanceId,
          status: live.status(),
          replay: replay === undefined ? 'none' : replay.complete ? 'complete' : 'gap',
        }),
      );
      if (replay?.complete) for (const event of replay.events) onEvent(event);
      const unsubscribe = live.subscribe(onEvent);
      const heartbeat = setInterval(() => send(SSE_HEARTBEAT), settings.heartbeatMs);
      heartbeat.unref();

      function close(): void {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        release();
        connections.delete(close);
        res.end();
      }
      connections.add(close);
      request.raw.on('close', close);
      res.on('error', close);
    },
  );
}
