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
