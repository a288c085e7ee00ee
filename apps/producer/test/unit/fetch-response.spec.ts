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
