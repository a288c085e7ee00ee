import type { OutgoingMessage } from '../messages/outgoing-message';
import type { StateRecord } from '../state/cursor-state';

/**
 * The readings fetched but not yet acknowledged by Kafka, oldest first. The sender takes a batch
 * from the head and removes it only once its transaction has committed, so a failed attempt
 * leaves the batch in place for the next one, in the same order (per-key order is kept).
 *
 * A response pushed with a state record (its cursor) is atomic: a batch holds all of its
 * messages and its state record, or none of them, so the cursor is committed in the same
 * transaction as exactly the readings fetched with it. A response without one may be split.
 */
export interface Batch {
  readonly messages: OutgoingMessage[];
  /** The state records of the atomic responses in the batch, the latest per key. */
  readonly state: StateRecord[];
}

interface Chunk {
  readonly messages: OutgoingMessage[];
  readonly state: StateRecord | undefined;
  readonly bytes: number;
}

export class MessageQueue {
  private readonly chunks: Chunk[] = [];
  private headChunk = 0;
  private headOffset = 0;
  private count = 0;
  private byteCount = 0;

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /**
   * Queues one response's messages, with the state record to commit with them. An empty
   * response is not queued, its state record neither: asked again, the API answers as little.
   */
  push(messages: readonly OutgoingMessage[], state?: StateRecord): void {
    if (messages.length === 0) return;
    let bytes = 0;
    for (const message of messages) bytes += message.bytes;
    this.chunks.push({ messages: [...messages], state, bytes });
    this.count += messages.length;
    this.byteCount += bytes;
  }

  /** The messages of `peekBatch`. */
  peek(maxCount: number, maxBytes: number): OutgoingMessage[] {
    return this.peekBatch(maxCount, maxBytes).messages;
  }

  /**
   * Up to `maxCount` messages from the head whose bytes add up to at most `maxBytes`; always at
   * least one when the queue is not empty (a message is never stuck for being large), and an
   * atomic response whole, even past the bounds (the sender splits its sends, not the
   * transaction).
   */
  peekBatch(maxCount: number, maxBytes: number): Batch {
    const messages: OutgoingMessage[] = [];
    const state = new Map<string, StateRecord>();
    let bytes = 0;
    for (let c = this.headChunk; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as Chunk;
      if (chunk.state !== undefined) {
        // Atomic: never split (a partial head only arises from a non-atomic chunk).
        const fits =
          messages.length + chunk.messages.length <= maxCount && bytes + chunk.bytes <= maxBytes;
        if (messages.length > 0 && !fits) break;
        messages.push(...chunk.messages);
        bytes += chunk.bytes;
        state.set(chunk.state.key, chunk.state);
        continue;
      }
      let i = c === this.headChunk ? this.headOffset : 0;
      for (; i < chunk.messages.length; i++) {
        const message = chunk.messages[i] as OutgoingMessage;
        if (messages.length >= maxCount) break;
        if (messages.length > 0 && bytes + message.bytes > maxBytes) break;
        messages.push(message);
        bytes += message.bytes;
      }
      if (i < chunk.messages.length) break;
    }
    return { messages, state: [...state.values()] };
  }

  /** Removes `n` messages from the head (those just committed). */
  drop(n: number): void {
    if (n > this.count) throw new RangeError(`cannot drop ${n} of ${this.count} queued messages`);
    let left = n;
    while (left > 0) {
      const chunk = this.chunks[this.headChunk] as Chunk;
      const take = Math.min(left, chunk.messages.length - this.headOffset);
      for (let i = this.headOffset; i < this.headOffset + take; i++) {
        this.byteCount -= (chunk.messages[i] as OutgoingMessage).bytes;
      }
      this.headOffset += take;
      left -= take;
      this.count -= take;
      if (this.headOffset === chunk.messages.length) {
        this.headChunk++;
        this.headOffset = 0;
      }
    }
    // Compact once the consumed prefix is long enough to matter.
    if (this.headChunk > 1024 || (this.headChunk > 0 && this.headChunk === this.chunks.length)) {
      this.chunks.splice(0, this.headChunk);
      this.headChunk = 0;
    }
  }
}
