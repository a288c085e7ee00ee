import { Registry } from 'prom-client';
import { createLogger } from '@geostream/platform';
import type { WindowRecord } from '@geostream/instrument-schemas';
import { CheckpointSupersededError, SinkRejectedError, type PostgresBatch } from '@geostream/sinks';
import type { PartitionCheckpointWrite } from '../../src/core/checkpoint-state';
import { createProcessorMetrics } from '../../src/shell/metrics';
import { createOutputWriter } from '../../src/shell/output-writer';
import type { OutputBatch } from '../../src/shell/pending-outputs';
import type { Sinks } from '../../src/shell/sinks';

// The writer's decisions about what goes where, against sinks that record what they were given.

const window = (id: string): WindowRecord =>
  ({ id, window_end: '2026-12-01T00:00:10.000Z' }) as unknown as WindowRecord;

const batchOf = (windows: WindowRecord[]): OutputBatch => ({
  windows,
  windowOrigins: windows.map((_, i) => ({ offset: i, item: null })),
  windowClocks: [],
  alerts: [],
  deadLetters: [],
  closedAtMs: windows.map(() => 0),
});

const checkpoint = {
  header: { nextOffset: 42 },
  upserts: [],
  deletes: [],
} as unknown as PartitionCheckpointWrite;

const refusal = () =>
  new SinkRejectedError({
    sink: 'postgres',
    operation: 'writeBatch',
    details: { refusesRecords: true },
  });

function recordingSinks(refuse: (batch: PostgresBatch) => boolean) {
  const postgresWrites: PostgresBatch[] = [];
  const deadLetterWrites: unknown[][] = [];
  const sinks = {
    postgres: {
      writeBatch: async (batch: PostgresBatch) => {
        if (refuse(batch)) throw refusal();
        postgresWrites.push(batch);
        return {};
      },
    },
    elasticsearch: undefined,
    kafka: {
      write: async (batch: { deadLetters?: unknown[] }) => {
        if (batch.deadLetters?.length) deadLetterWrites.push(batch.deadLetters);
        return {};
      },
    },
    maxDeadLetterBytes: 1_000_000,
    close: async () => undefined,
  } as unknown as Sinks;
  return { sinks, postgresWrites, deadLetterWrites };
}

const writerFor = (sinks: Sinks, maxDeadLetterBytes = 1_000_000) =>
  createOutputWriter({
    sinks,
    metrics: createProcessorMetrics(new Registry()),
    logger: createLogger('output-writer-test', 'silent', 'json'),
    consumerGroup: 'g',
    rawTopic: 'raw',
    now: () => 0,
    maxDeadLetterBytes,
  });

describe('createOutputWriter', () => {
  it('writes the windows to every sink at once and the checkpoint alone, after all of them', async () => {
    // The windows reach PostgreSQL while Kafka is still writing; the checkpoint waits for Kafka.
    const events: string[] = [];
    let kafkaDone: () => void = () => undefined;
    const kafkaWritten = new Promise<void>((resolve) => (kafkaDone = resolve));
    const { sinks, postgresWrites } = recordingSinks(() => false);
    const postgres = sinks.postgres;
    const recording = {
      ...sinks,
      kafka: {
        write: async () => {
          events.push('kafka started');
          await kafkaWritten;
          events.push('kafka done');
          return {};
        },
      },
      postgres: {
        ...postgres,
        writeBatch: async (batch: PostgresBatch) => {
          events.push(batch.checkpoints?.length ? 'checkpoint' : 'windows');
          if ((batch.windows?.length ?? 0) > 0) kafkaDone();
          return postgres.writeBatch(batch);
        },
      },
    } as unknown as Sinks;
    await writerFor(recording)(
      0,
      batchOf([window('a'), window('b')]),
      checkpoint,
      new AbortController().signal,
    );
    expect(events).toEqual(['kafka started', 'windows', 'kafka done', 'checkpoint']);
    expect(postgresWrites.map((b) => Object.keys(b).sort())).toEqual([
      ['alerts', 'clocks', 'windows'],
      ['checkpoints'],
    ]);
    expect(postgresWrites[1]).toEqual({
      checkpoints: [expect.objectContaining({ nextOffset: '42' })],
    });
  });

  it('retries a checkpoint PostgreSQL refuses by itself, like an outage, never moving on without it', async () => {
    let refusals = 2;
    const { sinks, postgresWrites, deadLetterWrites } = recordingSinks(
      (batch) => (batch.checkpoints?.length ?? 0) > 0 && refusals-- > 0,
    );
    await writerFor(sinks)(0, batchOf([window('a')]), checkpoint, new AbortController().signal);
    expect(deadLetterWrites).toEqual([]);
    expect(refusals).toBe(-1);
    expect(postgresWrites.at(-1)).toEqual({
      checkpoints: [expect.objectContaining({ nextOffset: '42' })],
    });
  });

  it('gives up on a checkpoint another instance superseded, at once, and says whose it follows', async () => {
    const written: PostgresBatch[] = [];
    const { sinks } = recordingSinks(() => false);
    const superseding = {
      ...sinks,
      postgres: {
        writeBatch: async (batch: PostgresBatch) => {
          written.push(batch);
          if (batch.checkpoints?.length)
            throw new CheckpointSupersededError({
              consumerGroup: 'g',
              topic: 'raw',
              partition: 0,
              follows: '40',
              stored: '50',
            });
          return {};
        },
      },
    } as unknown as Sinks;
    const outcome = await writerFor(superseding)(
      0,
      batchOf([window('a')]),
      checkpoint,
      new AbortController().signal,
      40,
    ).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(CheckpointSupersededError);
    const attempts = written.filter((b) => b.checkpoints?.length);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.checkpoints).toEqual([
      expect.objectContaining({ nextOffset: '42', follows: '40' }),
    ]);
    // A partition with no checkpoint yet follows none.
    written.length = 0;
    await writerFor(superseding)(
      0,
      batchOf([]),
      checkpoint,
      new AbortController().signal,
      -1,
    ).catch(() => undefined);
    expect(written.at(-1)?.checkpoints).toEqual([expect.objectContaining({ follows: null })]);
  });

  it('dead-letters the refused window, writes the rest, then the checkpoint', async () => {
    const { sinks, postgresWrites, deadLetterWrites } = recordingSinks((batch) =>
      (batch.windows ?? []).some((w) => w.id === 'bad'),
    );
    await writerFor(sinks)(
      0,
      batchOf([window('a'), window('bad'), window('c')]),
      checkpoint,
      new AbortController().signal,
    );

    expect(deadLetterWrites.flat()).toEqual([expect.objectContaining({ reason: 'sink_rejected' })]);
    expect(
      postgresWrites
        .flatMap((b) => b.windows ?? [])
        .map((w) => w.id)
        .sort(),
    ).toEqual(['a', 'c']);
    expect(postgresWrites.at(-1)).toEqual({
      checkpoints: [expect.objectContaining({ nextOffset: '42' })],
    });
  });

  it('bounds the dead letter of a refused window larger than the dead-letter topic takes', async () => {
    const { sinks, deadLetterWrites } = recordingSinks((batch) =>
      (batch.windows ?? []).some((w) => w.id === 'big'),
    );
    const big = { ...window('big'), note: 'x'.repeat(20_000) } as WindowRecord;
    await writerFor(sinks, 8_000)(0, batchOf([big]), checkpoint, new AbortController().signal);

    const [letter] = deadLetterWrites.flat() as { payload_truncated?: boolean }[];
    expect(letter).toMatchObject({ reason: 'sink_rejected', payload_truncated: true });
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThanOrEqual(8_000);
  });
});
