import fc from 'fast-check';
import { MessageQueue } from '../../src/delivery/message-queue';
import { message } from '../messages';

describe('MessageQueue', () => {
  it('hands out batches from the head, oldest first, and forgets them only when dropped', () => {
    const queue = new MessageQueue();
    queue.push([message('a', '1'), message('b', '2')]);
    queue.push([message('c', '3')]);
    expect(queue.peek(2, 1_000).map((m) => m.value.toString())).toEqual(['1', '2']);
    expect(queue.peek(2, 1_000).map((m) => m.value.toString())).toEqual(['1', '2']);
    queue.drop(2);
    expect(queue.peek(5, 1_000).map((m) => m.value.toString())).toEqual(['3']);
    expect(queue.size).toBe(1);
  });

  it('bounds a batch by bytes, but always hands out at least one message', () => {
    const queue = new MessageQueue();
    queue.push([message('k', 'x'.repeat(100)), message('k', 'y'.repeat(100))]);
    expect(queue.peek(10, 150)).toHaveLength(1);
    expect(queue.peek(10, 50)).toHaveLength(1);
    expect(queue.peek(10, 250)).toHaveLength(2);
  });

  it('keeps a response with a cursor whole: all of its messages and its state record, or none', () => {
    const queue = new MessageQueue();
    const state = (cursor: string) => ({ key: 'p:piezometer', value: Buffer.from(cursor) });
    queue.push([message('a', '1'), message('b', '2'), message('c', '3')], state('c1'));
    queue.push([message('d', '4'), message('e', '5')], state('c2'));
    queue.push([message('f', '6'), message('g', '7')]);
    // Larger than the bounds: still whole, the sender splits the sends, not the transaction.
    const first = queue.peekBatch(2, 1_000);
    expect(first.messages.map((m) => m.value.toString())).toEqual(['1', '2', '3']);
    expect(first.state.map((r) => r.value.toString())).toEqual(['c1']);
    // Two atomic responses fit: the later cursor of the key is the one to commit.
    expect(queue.peekBatch(5, 1_000).state.map((r) => r.value.toString())).toEqual(['c2']);
    queue.drop(3);
    // A response without a cursor may be split after an atomic one.
    const next = queue.peekBatch(3, 1_000);
    expect(next.messages.map((m) => m.value.toString())).toEqual(['4', '5', '6']);
    expect(next.state.map((r) => r.value.toString())).toEqual(['c2']);
  });

  it('refuses to drop more than it holds', () => {
    const queue = new MessageQueue();
    queue.push([message('a', '1')]);
    expect(() => queue.drop(2)).toThrow(RangeError);
  });

  it('behaves like a plain array (property)', () => {
    const operation = fc.oneof(
      fc.record({ push: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }) }),
      fc.record({
        take: fc.integer({ min: 1, max: 6 }),
        maxBytes: fc.integer({ min: 1, max: 80 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const queue = new MessageQueue();
        const model: Array<ReturnType<typeof message>> = [];
        for (const op of operations) {
          if ('push' in op) {
            const messages = op.push.map((v) => message('k', v));
            queue.push(messages);
            model.push(...messages);
          } else {
            const batch = queue.peek(op.take, op.maxBytes);
            let bytes = 0;
            let expected = 0;
            for (const m of model.slice(0, op.take)) {
              if (expected > 0 && bytes + m.bytes > op.maxBytes) break;
              bytes += m.bytes;
              expected++;
            }
            expect(batch).toEqual(model.slice(0, expected));
            queue.drop(batch.length);
            model.splice(0, batch.length);
          }
          expect(queue.size).toBe(model.length);
          expect(queue.bytes).toBe(model.reduce((n, m) => n + m.bytes, 0));
        }
      }),
      { numRuns: 200 },
    );
  });
});
