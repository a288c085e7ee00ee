import type { OutgoingMessage } from '../messages/outgoing-message';

/**
 * The readings fetched but not yet acknowledged by Kafka, oldest first. The sender takes a batch
 * from the head and removes it only once its transaction has committed, so a failed attempt
 * leaves the batch in place for the next one, in the same order (per-key order is kept).
 */
export class MessageQueue {
  private readonly chunks: OutgoingMessage[][] = [];
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

  push(messages: readonly OutgoingMessage[]): void {
    if (messages.length === 0) return;
    this.chunks.push([...messages]);
    this.count += messages.length;
    for (const message of messages) this.byteCount += message.bytes;
  }

  /**
   * Up to `maxCount` messages from the head whose bytes add up to at most `maxBytes`; always at
   * least one when the queue is not empty (a message is never stuck for being large).
   */
  peek(maxCount: number, maxBytes: number): OutgoingMessage[] {
    const batch: OutgoingMessage[] = [];
    let bytes = 0;
    for (let c = this.headChunk; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as OutgoingMessage[];
      for (let i = c === this.headChunk ? this.headOffset : 0; i < chunk.length; i++) {
        const message = chunk[i] as OutgoingMessage;
        if (batch.length >= maxCount) return batch;
        if (batch.length > 0 && bytes + message.bytes > maxBytes) return batch;
        batch.push(message);
        bytes += message.bytes;
      }
    }
    return batch;
  }

  /** Removes `n` messages from the head (those just committed). */
  drop(n: number): void {
    if (n > this.count) throw new RangeError(`cannot drop ${n} of ${this.count} queued messages`);
    let left = n;
    while (left > 0) {
      const chunk = this.chunks[this.headChunk] as OutgoingMessage[];
      const take = Math.min(left, chunk.length - this.headOffset);
      for (let i = this.headOffset; i < this.headOffset + take; i++) {
        this.byteCount -= (chunk[i] as OutgoingMessage).bytes;
      }
      this.headOffset += take;
      left -= take;
      this.count -= take;
      if (this.headOffset === chunk.length) {
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
