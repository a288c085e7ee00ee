import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy between the producer and the API that records every response it delivered:
 * the independent record of "what the API returned" that the topic is compared with.
 */
export interface RecordedResponse {
  readonly path: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
  /** The API's own headers (`x-cursor`, `x-simulated-fault`, ...), passed on to the client. */
  readonly headers: Record<string, string>;
  /** False when the client had gone (timed out) before the response was written. */
  readonly delivered: boolean;
  /** When the proxy finished writing it (or found the client gone): for a failing test's report. */
  readonly atMs: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly responses: RecordedResponse[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const responses: RecordedResponse[] = [];
  const server = http.createServer((request, response) => {
    let clientGone = false;
    response.on('close', () => {
      if (!response.writableFinished) clientGone = true;
    });
    const upstream = http.get(new URL(request.url ?? '/', target), (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = Object.fromEntries(
          Object.entries(answer.headers).filter(
            (entry): entry is [string, string] =>
              entry[0].startsWith('x-') && typeof entry[1] === 'string',
          ),
        );
        const record = {
          path: request.url ?? '/',
          status: answer.statusCode ?? 0,
          contentType: answer.headers['content-type'],
          body,
          headers,
        };
        if (clientGone || response.destroyed) {
          responses.push({ ...record, delivered: false, atMs: Date.now() });
          return;
        }
        response.writeHead(record.status, {
          ...headers,
          'content-type': record.contentType ?? 'application/octet-stream',
          'content-length': body.length,
        });
        response.end(body, () =>
          responses.push({ ...record, delivered: !clientGone, atMs: Date.now() }),
        );
      });
    });
    upstream.on('error', () => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    responses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
