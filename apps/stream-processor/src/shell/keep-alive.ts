/**
 * Runs `work` while calling kafkajs's heartbeat every `intervalMs`, so a batch held up by a
 * sink outage keeps its group membership instead of being kicked out after the session
 * timeout. If a heartbeat fails (the group is rebalancing, or we were fenced), the work is
 * aborted through its signal and the heartbeat's error is thrown: kafkajs then rejoins.
 */
export async function withHeartbeats<T>(
  heartbeat: () => Promise<void>,
  intervalMs: number,
  parent: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  let beating = false;
  const timer = setInterval(() => {
    if (beating || controller.signal.aborted) return;
    beating = true;
    heartbeat().then(
      () => {
        beating = false;
      },
      (error: unknown) => {
        beating = false;
        controller.abort(error);
      },
    );
  }, intervalMs);
  try {
    return await work(controller.signal);
  } catch (error) {
    // Prefer the heartbeat's (rebalance) error over the abort it caused.
    if (controller.signal.aborted && !parent.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearInterval(timer);
    parent.removeEventListener('abort', onParentAbort);
  }
}
