import type {
  KafkaPort,
  OpenTransaction,
  PartitionOffset,
  TransactionalSession,
} from '../src/delivery/kafka-port';
import type { OutgoingMessage } from '../src/messages/outgoing-message';
import type { StateRecord } from '../src/state/cursor-state';

/**
 * An in-memory Kafka log with transactions, fencing and read_committed visibility, that fails on
 * command, for testing the sender's exactly-once logic without a broker.
 */
export type Operation =
  | 'ensureTopic'
  | 'openSession'
  | 'register'
  | 'send'
  | 'commit'
  | 'abort'
  | 'awaitCompletion'
  | 'verify'
  | 'readState';

/**
 * ok; fail (nothing happened); lost_reply (commit applied, reply lost); partial (send wrote
 * half of the messages, then failed).
 */
export type Outcome = 'ok' | 'fail' | 'lost_reply' | 'partial';

type TransactionState = 'ongoing' | 'committed' | 'aborted';

interface Record {
  readonly key: string;
  readonly value: string;
  readonly transaction: number;
}

export const RAW = 'raw';
export const STATE = 'state';

export class FakeKafka implements KafkaPort {
  readonly partitions: Record[][];
  /** The state topic (one partition). */
  readonly stateLog: Record[] = [];
  private readonly transactions = new Map<number, { state: TransactionState; epoch: number }>();
  private epoch = 0;
  private nextTransaction = 0;
  readonly calls: Operation[] = [];
  /**
   * A commit the coordinator has acknowledged but not completed: as Kafka, it writes the commit
   * markers after answering, and refuses the next transaction's first send until they are
   * written (CONCURRENT_TRANSACTIONS). Here they are written when the sender waits for them
   * (awaitCompletion) or a new session registers.
   */
  private completing = false;
  /** First sends that reached the coordinator while it was still completing the last commit. */
  concurrentTransactionRefusals = 0;

  constructor(
    partitionCount: number,
    /** Decides the outcome of each operation; `down` makes every operation fail. */
    private readonly script: (operation: Operation) => Outcome = () => 'ok',
  ) {
    this.partitions = Array.from({ length: partitionCount }, () => []);
  }

  down = false;

  private outcome(operation: Operation): Outcome {
    this.calls.push(operation);
    if (this.down) return 'fail';
    return this.script(operation);
  }

  private fail(operation: Operation): never {
    throw new Error(`simulated ${operation} failure`);
  }

  async ensureTopic(): Promise<void> {
    if (this.outcome('ensureTopic') !== 'ok') this.fail('ensureTopic');
  }

  async openSession(): Promise<TransactionalSession> {
    if (this.outcome('openSession') !== 'ok') this.fail('openSession');
    let epoch: number | undefined;
    let closed = false;
    const live = () => {
      if (closed) throw new Error('session closed');
      if (epoch !== this.epoch) throw new Error('PRODUCER_FENCED');
    };
    return {
      begin: async () => {
        if (closed) throw new Error('session closed');
        if (epoch === undefined) {
          if (this.outcome('register') !== 'ok') this.fail('register');
          // InitProducerId: waits for a completing commit, fences older sessions and aborts
          // what they left open.
          this.completing = false;
          epoch = ++this.epoch;
          for (const transaction of this.transactions.values()) {
            if (transaction.state === 'ongoing') transaction.state = 'aborted';
          }
        }
        live();
        const id = this.nextTransaction++;
        this.transactions.set(id, { state: 'ongoing', epoch });
        return this.transaction(id, live);
      },
      awaitCompletion: async () => {
        if (this.outcome('awaitCompletion') !== 'ok') this.fail('awaitCompletion');
        if (closed) throw new Error('session closed');
        this.completing = false;
      },
      close: async () => {
        closed = true;
      },
    };
  }

  private transaction(id: number, live: () => void): OpenTransaction {
    const state = () => this.transactions.get(id) as { state: TransactionState };
    let partitionsAdded = false;
    return {
      send: async (
        messages: readonly OutgoingMessage[],
        stateRecords: readonly StateRecord[] = [],
      ): Promise<PartitionOffset[]> => {
        const outcome = this.outcome('send');
        live();
        if (!partitionsAdded && this.completing) {
          // kafkajs logs the refusal at error and retries until the markers are written.
          this.concurrentTransactionRefusals++;
          this.completing = false;
        }
        partitionsAdded = true;
        if (state().state !== 'ongoing') throw new Error('transaction not ongoing');
        const writing =
          outcome === 'partial' ? messages.slice(0, Math.ceil(messages.length / 2)) : messages;
        if (outcome === 'fail') this.fail('send');
        const offsets = new Map<number, string>();
        for (const message of writing) {
          const partition = this.partitionOf(message.key);
          const log = this.partitions[partition] as Record[];
          if (!offsets.has(partition)) offsets.set(partition, String(log.length));
          log.push({ key: message.key, value: message.value.toString(), transaction: id });
        }
        if (outcome === 'partial') this.fail('send');
        const written: PartitionOffset[] = [...offsets].map(([partition, baseOffset]) => ({
          topic: RAW,
          partition,
          baseOffset,
        }));
        if (stateRecords.length > 0) {
          written.push({ topic: STATE, partition: 0, baseOffset: String(this.stateLog.length) });
          for (const r of stateRecords) {
            this.stateLog.push({ key: r.key, value: r.value.toString(), transaction: id });
          }
        }
        return written;
      },
      commit: async () => {
        const outcome = this.outcome('commit');
        if (outcome === 'fail') this.fail('commit');
        live();
        if (state().state !== 'ongoing') throw new Error('transaction not ongoing');
        state().state = 'committed';
        this.completing = true;
        if (outcome === 'lost_reply') this.fail('commit');
      },
      abort: async () => {
        if (this.outcome('abort') !== 'ok') this.fail('abort');
        live();
        state().state = 'aborted';
      },
    };
  }

  /**
   * The next this-many state reads answer as of the commit before the last, as a single broker
   * just back from a restart did: the last commit's markers not readable yet.
   */
  staleStateReads = 0;

  async readState(): Promise<StateRecord[]> {
    if (this.outcome('readState') !== 'ok') this.fail('readState');
    let records = this.stateLog.filter(
      (r) => this.transactions.get(r.transaction)?.state === 'committed',
    );
    const last = records.at(-1)?.transaction;
    if (this.staleStateReads > 0 && last !== undefined) {
      this.staleStateReads--;
      records = records.filter((r) => r.transaction !== last);
    }
    return records.map((r) => ({ key: r.key, value: Buffer.from(r.value) }));
  }

  /** What a read_committed consumer sees on the state topic. */
  committedState(): Array<{ key: string; value: string }> {
    return this.stateLog
      .filter((r) => this.transactions.get(r.transaction)?.state === 'committed')
      .map(({ key, value }) => ({ key, value }));
  }

  async wasCommitted(probe: {
    topic: string;
    partition: number;
    offset: string;
  }): Promise<boolean> {
    if (this.outcome('verify') !== 'ok') this.fail('verify');
    const log = probe.topic === STATE ? this.stateLog : this.partitions[probe.partition];
    const record = log?.[Number(probe.offset)];
    if (!record) throw new Error(`no record at ${probe.partition}/${probe.offset}`);
    const transaction = this.transactions.get(record.transaction);
    // The sender must only ask once the transaction is settled: Kafka could not answer otherwise.
    if (transaction?.state === 'ongoing') throw new Error('asked about an unsettled transaction');
    return transaction?.state === 'committed';
  }

  partitionOf(key: string): number {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return Math.abs(h) % this.partitions.length;
  }

  /** What a read_committed consumer sees, partition by partition. */
  committed(): Array<{ key: string; value: string }>[] {
    return this.partitions.map((log) =>
      log
        .filter((r) => this.transactions.get(r.transaction)?.state === 'committed')
        .map(({ key, value }) => ({ key, value })),
    );
  }
}
