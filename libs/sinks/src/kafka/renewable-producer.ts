import type { Producer } from 'kafkajs';
import { lazyConnect } from './lazy-connect';

/**
 * The sink's producer, made and connected on first use, and replaced by a fresh one once a send
 * failed for good. After a non-retriable error kafkajs' idempotent producer may hold sequence
 * numbers the broker no longer agrees with, and fail every later send (out-of-order sequence);
 * a new producer gets a new producer id and starts its sequences over.
 */
export interface RenewableProducer {
  /** The current producer, connected. A failed connect is forgotten: the next call tries again. */
  connected(): Promise<Producer>;
  /**
   * Disconnects `producer` and forgets it, if it is still the current one (concurrent writes
   * that failed on it discard it once), so the next `connected()` makes a new one.
   */
  discard(producer: Producer): Promise<void>;
  close(): Promise<void>;
}

export function renewableProducer(create: () => Producer): RenewableProducer {
  let current: { producer: Producer; connect: () => Promise<void> } | undefined;
  return {
    async connected() {
      if (current === undefined) {
        const producer = create();
        current = { producer, connect: lazyConnect(() => producer.connect()) };
      }
      const { producer, connect } = current;
      await connect();
      return producer;
    },
    async discard(producer) {
      if (current?.producer !== producer) return;
      current = undefined;
      await producer.disconnect().catch(() => undefined);
    },
    async close() {
      const producer = current?.producer;
      current = undefined;
      await producer?.disconnect();
    },
  };
}
