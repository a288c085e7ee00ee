import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { webhookSignature } from '../../src/core/notification-content';

/**
 * The receivers a site would run, started by the tests on 127.0.0.1: a webhook endpoint (node's
 * http) and an SMTP server (the smtp-server package). Each records every delivery as it arrives,
 * before answering, so a sender killed while waiting for the answer shows as a delivery that
 * was made and then made again.
 */

export interface WebhookDelivery {
  readonly path: string;
  readonly idempotencyKey: string;
  readonly type: string;
  readonly body: string;
  /** The signature checked against the secret the test gave for this path. */
  readonly signatureValid: boolean;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  readonly deliveries: WebhookDelivery[];
  /** Requests received and not yet answered (on one path, or on all). */
  inFlight(path?: string): number;
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** The HMAC secret of each path. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Hold every answer this long (a window in which to kill the sender). */
  readonly answerDelayMs?: number;
  /** Answer this status on these paths (default 200). */
  readonly statusByPath?: Readonly<Record<string, number>>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startWebhookReceiver(
  options: WebhookReceiverOptions,
): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Map<string, number>();
  const add = (path: string, n: number) => inFlight.set(path, (inFlight.get(path) ?? 0) + n);
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    add(path, 1);
    void readBody(request).then((body) => {
      const secret = options.secrets[path] ?? '';
      const timestamp = Number(request.headers['x-geostream-timestamp']);
      deliveries.push({
        path,
        idempotencyKey: String(request.headers['idempotency-key']),
        type: String(request.headers['x-geostream-event']),
        body,
        signatureValid:
          request.headers['x-geostream-signature'] === webhookSignature(secret, timestamp, body),
      });
      setTimeout(() => {
        add(path, -1);
        response.writeHead(options.statusByPath?.[path] ?? 200).end('{}');
      }, options.answerDelayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    deliveries,
    inFlight: (path) =>
      path === undefined
        ? [...inFlight.values()].reduce((a, b) => a + b, 0)
        : (inFlight.get(path) ?? 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface MailDelivery {
  readonly messageId: string;
  readonly idempotencyKey: string;
  readonly to: readonly string[];
  readonly subject: string;
}

export interface SmtpReceiver {
  readonly url: string;
  readonly deliveries: MailDelivery[];
  inFlight(): number;
  close(): Promise<void>;
}

function header(raw: string, name: string): string {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return (match?.[1] ?? '').replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** An SMTP server without TLS or authentication that accepts every message. */
export async function startSmtpReceiver(
  options: { readonly answerDelayMs?: number; readonly port?: number } = {},
): Promise<SmtpReceiver> {
  const deliveries: MailDelivery[] = [];
  let inFlight = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      inFlight += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        deliveries.push({
          messageId: header(raw, 'Message-ID'),
          idempotencyKey: header(raw, 'X-Geostream-Idempotency-Key'),
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, 'Subject'),
        });
        setTimeout(() => {
          inFlight -= 1;
          callback();
        }, options.answerDelayMs ?? 0);
      });
    },
  });
  // A sender killed mid-conversation leaves a dead socket behind: not the test's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    deliveries,
    inFlight: () => inFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
