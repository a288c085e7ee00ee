import { createLogger } from '@geostream/platform';
import fc from 'fast-check';
import { MessageQueue } from '../../src/delivery/message-queue';
import {
  TransactionalSender,
  type TransactionOutcome,
} from '../../src/delivery/transactional-sender';
import { FakeKafka, type Operation, type Outcome } from '../fake-kafka';
import { message } from '../messages';

const logger = createLogger('sender-test', 'silent');
const options = {
  maxBatchMessages: 4,
  maxBatchBytes: 10_000,
  initialRetryDelayMs: 1,
  maxRetryDelayMs: 2,
};

function sender(kafka: FakeKafka) {
  const queue = new MessageQueue();
  const outcomes: TransactionOutcome[] = [];
  const events = {
    transaction: (outcome: TransactionOutcome) => void outcomes.push(outcome),
    failure: () => undefined,
  };
  const s = new TransactionalSender(queue, kafka, options, events, logger);
  s.start();
  const push = (...messages: ReturnType<typeof message>[]) => {
    queue.push(messages);
    s.notify();
  };
  return { sender: s, queue, outcomes, push };
}

/** Scripted outcomes per operation, in call order; anything unscripted succeeds. */
function script(plan: Partial<Record<Operation, Outcome[]>>) {
  const left = Object.fromEntries(Object.entries(plan).map(([k, v]) => [k, [...(v ?? [])]]));
  return (operation: Operation): Outcome => left[operation]?.shift() ?? 'ok';
}

function committedValues(kafka: FakeKafka): string[] {
  return kafka
    .committed()
    .flatMap((log) => log.map((r) => r.value))
    .sort();
}

const values = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('TransactionalSender', () => {
  it('delivers every buffered message once, in transactions of at most maxBatchMessages', async () => {
    const kafka = new FakeKafka(3);
    const { sender: s, push, outcomes, queue } = sender(kafka);
    push(...values(10).map((v) => message(`k${v}`, v)));
    expect(await s.stop(5_000)).toEqual({ unflushed: 0, unresolved: 0 });
    expect(committedValues(kafka)).toEqual(values(10).sort());
    expect(outcomes).toEqual(['committed', 'committed', 'committed']); // 4 + 4 + 2
    expect(queue.size).toBe(0);
  });

  it('sends a batch again after a send failure, and the failed attempt stays invisible', async () => {
    const kafka = new FakeKafka(2, script({ send: ['partial', 'fail'] }));
    const { sender: s, push, outcomes } = sender(kafka);
    push(...values(4).map((v) => message('same-key', v)));
    await s.stop(5_000);
    expect(committedValues(kafka)).toEqual(values(4));
    expect(outcomes).toContain('aborted');
    // The partial write is in the log, but aborted: read_committed never sees it.
    expect(kafka.partitions.flat().length).toBeGreaterThan(4);
  });

  it('does not send a batch again when a commit whose reply was lost had succeeded', async () => {
    const kafka = new FakeKafka(2, script({ commit: ['lost_reply'] }));
    const { sender: s, push, outcomes } = sender(kafka);
    push(...values(3).map((v) => message(`k${v}`, v)));
    await s.stop(5_000);
    expect(committedValues(kafka)).toEqual(values(3));
    expect(outcomes).toEqual(['unknown', 'verified_committed']);
  });

  it('sends a batch again when a failed commit had not happened', async () => {
    const kafka = new FakeKafka(2, script({ commit: ['fail'] }));
    const { sender: s, push, outcomes } = sender(kafka);
    push(...values(3).map((v) => message(`k${v}`, v)));
    await s.stop(5_000);
    expect(committedValues(kafka)).toEqual(values(3));
    expect(outcomes).toEqual(['unknown', 'verified_aborted', 'committed']);
  });

  it('begins a transaction only once the previous commit is complete on the coordinator', async () => {
    // Back-to-back transactions: the second batch is waiting when the first commit returns.
    const kafka = new FakeKafka(3);
    const { sender: s, push, outcomes } = sender(kafka);
    for (let i = 0; i < 5; i++) push(...values(6, `b${i}-`).map((v) => message(`k${v}`, v)));
    await s.stop(5_000);
    expect(outcomes.filter((o) => o === 'committed').length).toBeGreaterThan(1);
    expect(kafka.concurrentTransactionRefusals).toBe(0);
    // Every commit but the last is followed by a wait for its completion before the next send.
    const afterCommit = kafka.calls
      .map((call, i) => (call === 'commit' ? kafka.calls[i + 1] : undefined))
      .filter((next) => next !== undefined);
    expect(new Set(afterCommit)).toEqual(new Set(['awaitCompletion']));
  });

  it('keeps per-key order across failures', async () => {
    const kafka = new FakeKafka(
      1,
      script({ send: ['ok', 'fail', 'ok', 'partial'], commit: ['ok', 'ok', 'lost_reply', 'fail'] }),
    );
    const { sender: s, push } = sender(kafka);
    push(...values(12).map((v) => message('one-instrument', v)));
    await s.stop(5_000);
    expect(kafka.committed()[0]?.map((r) => r.value)).toEqual(values(12));
  });

  it('reports unreachable Kafka, and recovers when it returns', async () => {
    const kafka = new FakeKafka(2);
    kafka.down = true;
    const { sender: s, push, queue } = sender(kafka);
    push(message('a', '1'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(s.status().kafkaReachable).toBe(false);
    expect(s.status().lastError).toMatch(/simulated/);
    expect(queue.size).toBe(1);
    kafka.down = false;
    await s.stop(5_000);
    expect(committedValues(kafka)).toEqual(['1']);
    expect(s.status().kafkaReachable).toBe(true);
  });

  it('gives up flushing at the deadline when Kafka stays down, reporting what was left', async () => {
    const kafka = new FakeKafka(2);
    const { sender: s, push } = sender(kafka);
    kafka.down = true;
    push(...values(5).map((v) => message(v, v)));
    const started = Date.now();
    expect(await s.stop(100)).toEqual({ unflushed: 5, unresolved: 0 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('delivers exactly once whatever fails, and when (property)', async () => {
    // Each operation has its own schedule of outcomes; unscheduled calls succeed.
    const schedule = (...faults: Outcome[]) =>
      fc.array(fc.constantFrom<Outcome>('ok', 'ok', ...faults), { maxLength: 6 });
    const plans = fc.record({
      ensureTopic: schedule('fail'),
      openSession: schedule('fail'),
      register: schedule('fail'),
      send: schedule('fail', 'partial'),
      commit: schedule('fail', 'lost_reply', 'lost_reply'),
      abort: schedule('fail'),
      awaitCompletion: schedule('fail'),
      verify: schedule('fail'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        plans,
        fc.integer({ min: 1, max: 4 }),
        async (pushes, plan, partitions) => {
          const kafka = new FakeKafka(partitions, script(plan));
          const { sender: s, push } = sender(kafka);
          const sent: Array<{ key: string; value: string }> = [];
          let n = 0;
          for (const count of pushes) {
            const batch = Array.from({ length: count }, () => {
              const value = `v${n}`;
              const key = `k${n++ % 3}`;
              sent.push({ key, value });
              return message(key, value);
            });
            push(...batch);
            await new Promise((resolve) => setImmediate(resolve));
          }
          expect(await s.stop(10_000)).toEqual({ unflushed: 0, unresolved: 0 });
          expect(kafka.concurrentTransactionRefusals).toBe(0);
          const seen = kafka.committed().flat();
          expect(seen.map((r) => r.value).sort()).toEqual(sent.map((r) => r.value).sort());
          for (const key of ['k0', 'k1', 'k2']) {
            expect(seen.filter((r) => r.key === key).map((r) => r.value)).toEqual(
              sent.filter((r) => r.key === key).map((r) => r.value),
            );
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
