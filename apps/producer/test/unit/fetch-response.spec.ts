import { apiErrorKind, fetchResponse, type Fetch } from '../../src/polling/fetch-response';

const respond =
  (body: string, init: ResponseInit = {}): Fetch =>
  async () =>
    new Response(body, init);

describe('fetchResponse', () => {
  it('returns the body and content type of a 2xx, whatever it holds', async () => {
    const outcome = await fetchResponse(
      'http://api.test/x',
      1_000,
      respond('<html>', { headers: { 'content-type': 'text/html' } }),
    );
    expect(outcome).toMatchObject({ kind: 'ok', status: 200, contentType: 'text/html' });
    expect(outcome.kind === 'ok' && outcome.body.toString()).toBe('<html>');
  });

  it('classifies an HTTP error by status', async () => {
    const outcome = await fetchResponse('http://api.test/x', 1_000, respond('{}', { status: 500 }));
    expect(outcome).toEqual({ kind: 'http_error', status: 500 });
    expect(apiErrorKind(outcome as Exclude<typeof outcome, { kind: 'ok' }>)).toBe('http_500');
  });

  it('reads the cursor headers of a resumable API, and none from an API without them', async () => {
    const withCursor = await fetchResponse(
      'http://api.test/x',
      1_000,
      respond('{}', {
        headers: { 'x-cursor': '17.3', 'x-cursor-more': 'true', 'x-cursor-gap-ms': '5000' },
      }),
    );
    expect(withCursor).toMatchObject({ cursor: { next: '17.3', more: true, gapMs: 5000 } });
    const without = await fetchResponse('http://api.test/x', 1_000, respond('{}'));
    expect(without).toMatchObject({ kind: 'ok', cursor: undefined });
  });

  it('refuses a body over the limit, declared or streamed', async () => {
    const big = 'x'.repeat(5_000);
    expect(await fetchResponse('http://api.test/x', 1_000, respond(big), 4_999)).toMatchObject({
      kind: 'too_large',
    });
    const undeclared: Fetch = async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(big));
            controller.close();
          },
        }),
      );
    const outcome = await fetchResponse('http://api.test/x', 1_000, undeclared, 20_000);
    expect(outcome.kind).toBe('too_large');
    expect(apiErrorKind(outcome as Exclude<typeof outcome, { kind: 'ok' }>)).toBe('too_large');
    expect(await fetchResponse('http://api.test/x', 1_000, respond(big), 5_000)).toMatchObject({
      kind: 'ok',
    });
  });

  it('gives up at the timeout', async () => {
    const never: Fetch = (_url, { signal }) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    expect(await fetchResponse('http://api.test/x', 20, never)).toEqual({ kind: 'timeout' });
  });

  it('reports a connection failure as network, with its cause', async () => {
    const refused: Fetch = async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    };
    expect(await fetchResponse('http://api.test/x', 1_000, refused)).toEqual({
      kind: 'network',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it('reaches a real socket that refuses', async () => {
    expect((await fetchResponse('http://127.0.0.1:1/params/all', 2_000)).kind).toBe('network');
  });
});
