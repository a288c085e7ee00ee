import type {
  PartitionCheckpointWrite,
  StoredPartitionCheckpoint,
} from '../../src/core/checkpoint-state';
import type { PartitionProcessor } from '../../src/core/partition-processor';

/**
 * What PostgreSQL does with a partition's checkpoints, in memory: the partition row replaced,
 * instrument rows upserted and deleted, all through JSON (as jsonb). Restoring from `stored()`
 * is restoring from every checkpoint written so far, incremental ones included.
 */
export class CheckpointStore {
  private header: unknown;
  private readonly rows = new Map<string, unknown>();

  write(checkpoint: PartitionCheckpointWrite): void {
    this.header = viaJson(checkpoint.header);
    for (const key of checkpoint.deletes) this.rows.delete(key);
    for (const { key, state } of checkpoint.upserts) this.rows.set(key, viaJson(state));
  }

  /** Takes a checkpoint of the processor and stores it. */
  checkpoint(processor: PartitionProcessor): this {
    this.write(processor.checkpoint());
    return this;
  }

  get instrumentRows(): number {
    return this.rows.size;
  }

  stored(): StoredPartitionCheckpoint {
    if (this.header === undefined) throw new Error('no checkpoint written');
    return {
      state: viaJson(this.header),
      // As PostgreSQL returns them: by key ("C" collation: code point order).
      instruments: [...this.rows.keys()]
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .map((key) => ({ key, state: viaJson(this.rows.get(key)) })),
    };
  }
}

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
