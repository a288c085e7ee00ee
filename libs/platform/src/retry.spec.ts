import { GeostreamError } from './errors';
import { backoffDelay, retry } from './retry';

const noSleep = async (): Promise<void> => undefined;
const transient = () => new GeostreamError('SINK_UNAVAILABLE', 'down', { retriable: true });
const permanent = () => new GeostreamError('SINK_REJECTED', 'bad', { retriable: false });

describe('retry', () => {
  it('retries retriable failures until the operation succeeds', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'done';
      },
      {
        sleep: noSleep,
        random: () => 1,
        onRetry: (e) => delays.push(e.delayMs),
        initialDelayMs: 100,
      },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it('gives up at once on a non-retriable error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw permanent();
        },
        { sleep: noSleep },
      ),
    ).rejects.toMatchObject({ code: 'SINK_REJECTED' });
    expect(calls).toBe(1);
  });

  it('stops after the configured number of retries and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw transient();
        },
        { sleep: noSleep, retries: 2 },
      ),
    ).rejects.toMatchObject({ code: 'SINK_UNAVAILABLE' });
    expect(calls).toBe(3);
  });

  it('stops retrying forever when its signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          if (calls === 4) controller.abort(new Error('shutting down'));
          throw transient();
        },
        { sleep: noSleep, retries: Infinity, signal: controller.signal },
      ),
    ).rejects.toBeDefined();
    expect(calls).toBe(4);
  });

  it('caps the backoff and applies full jitter', () => {
    const policy = { retries: 10, initialDelayMs: 100, maxDelayMs: 1_000, factor: 2 };
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(10, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400);
  });
});
