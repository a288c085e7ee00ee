import type { OutgoingMessage } from '../messages/outgoing-message';
import type { StateRecord } from '../state/cursor-state';

/**
 * What the sender needs from Kafka, as a port: the kafkajs adapter implements it for real, and
 * unit tests implement it with an in-memory log that fails on command.
 */
export interface PartitionOffset {
  /** The raw topic or the state topic. */
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first message this send wrote to the partition (Kafka's baseOffset). */
  readonly baseOffset: string;
}

export interface OpenTransaction {
  /**
   * Writes the messages to the raw topic, and the state records to the state topic, into the
   * transaction; they stay invisible until commit.
   */
  send(
    messages: readonly OutgoingMessage[],
    state?: readonly StateRecord[],
  ): Promise<PartitionOffset[]>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * One transactional producer (one transactional.id). Its first `begin()` registers it with the
 * transaction coordinator (InitProducerId), which fences every earlier session with the same id
 * and settles the transaction they left open: completes it if its commit had reached the
 * coordinator, aborts it otherwise. After any failure a session is discarded, never reused.
 */
export interface TransactionalSession {
  begin(): Promise<OpenTransaction>;
  /**
   * Resolves once the transaction that wrote at `written` is complete on every one of those
   * partitions (its markers are written: read_committed consumers can read past it). The
   * coordinator acknowledges a commit before that, and refuses the next transaction's first
   * send (CONCURRENT_TRANSACTIONS) until it is done: so a transaction begun right after a commit
   * waits here rather than overlapping it.
   */
  awaitCompletion(written: readonly PartitionOffset[]): Promise<void>;
  close(): Promise<void>;
}

export interface KafkaPort {
  /** Creates the raw topic and the state topic if they do not exist. */
  ensureTopic(): Promise<void>;
  /**
   * Every record of the state topic a read_committed consumer sees, in log order. Asked after a
   * session has registered (fencing the previous instance and settling what it left open), so
   * the last cursor it committed is there and nothing it did not commit is.
   */
  readState(): Promise<StateRecord[]>;
  openSession(): Promise<TransactionalSession>;
  /**
   * Whether the message written at `probe` is visible to read_committed consumers. Asked only
   * after a new session has settled the transaction, so the answer is final.
   */
  wasCommitted(probe: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
  }): Promise<boolean>;
}
