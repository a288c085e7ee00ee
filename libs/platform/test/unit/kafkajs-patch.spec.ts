import { createRequire } from 'node:module';

/**
 * patches/kafkajs+2.2.4.patch, applied by `npm ci` (postinstall: patch-package): kafkajs' request
 * queue armed a timer with a negative delay whenever nothing was pending, which Node 24 reports
 * as a TimeoutNegativeWarning on every client's first request (and every Node ran as a 1 ms loop
 * for the connection's life). These fail if the patch is not applied.
 */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueueLike;

const RequestQueue = createRequire(require.resolve('kafkajs'))(
  './src/network/requestQueue',
) as RequestQueueClass;

const silentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue(): RequestQueueLike {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: silentLogger,
  });
}

describe('kafkajs request queue (patched)', () => {
  // A stand-in setTimeout that arms nothing: unpatched, the queue would loop every 1 ms for ever.
  const spyOnSetTimeout = () =>
    jest
      .spyOn(global, 'setTimeout')
      .mockImplementation((() => ({ unref: () => undefined })) as unknown as typeof setTimeout);
  afterEach(() => jest.restoreAllMocks());

  it('arms no timer when nothing is pending, so no negative delay reaches setTimeout', () => {
    const setTimeoutSpy = spyOnSetTimeout();
    const q = queue();
    q.checkPendingRequests(); // what every fulfilled request does
    q.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still schedules a check for a request waiting behind a throttle, with a positive delay', () => {
    const setTimeoutSpy = spyOnSetTimeout();
    const q = queue();
    q.throttledUntil = Date.now() + 5_000;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(setTimeoutSpy.mock.calls[0]?.[1]).toBeGreaterThan(0);
  });
});
