import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { ConfigError, createLogger } from '@geostream/platform';
import { readStreamProcessorConfig } from '../../src/config';
import { sinkRejectedDeadLetter } from '../../src/core/sink-rejections';
import type { PartitionProcessor } from '../../src/core/partition-processor';
import { FetchHealth } from '../../src/shell/fetch-health';
import { BacklogEnd, compactHeap } from '../../src/shell/heap-compaction';
import { withHeartbeats } from '../../src/shell/keep-alive';
import { createProcessorMetrics } from '../../src/shell/metrics';
import { PartitionRunner, type PartitionRunnerOptions } from '../../src/shell/partition-runner';
import { PartitionSlot } from '../../src/shell/partition-slot';
import { SerialLock } from '../../src/shell/serial-lock';
import {
  CHECKPOINT_LULL_MS,
  WriteScheduler,
  type WriteSchedulerOptions,
} from '../../src/shell/write-scheduler';
import { defined } from '@geostream/platform/testing';

const configError = (env: Record<string, string>): ConfigError => {
  try {
    readStreamProcessorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has working defaults for every variable', () => {
    const config = readStreamProcessorConfig({});
    expect(config).toMatchObject({
      consumerGroup: 'stream-processor',
      http: { port: 9102 },
      topics: { raw: 'monitoring', deadLetter: 'monitoring.dlq', alerts: 'monitoring.alerts' },
      window: { kind: 'tumbling', sizeMs: 10_000, graceMs: 5_000, idleFlushMs: 15_000 },
      outputs: {
        postgresSchema: 'public',
        elasticsearchIndexPrefix: 'readings',
        topicPrefix: '',
        topicSuffix: '',
      },
      siteConfig: undefined,
    });
  });

  it('names every bad variable at once', () => {
    const error = configError({
      PG_SCHEMA: 'Bad Schema',
      ES_INDEX_PREFIX: 'UPPER',
      OUTPUT_TOPIC_SUFFIX: 'no spaces',
      MAX_WRITE_DELAY_MS: 'soon',
      KAFKA_SESSION_TIMEOUT_MS: '10',
    });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'ES_INDEX_PREFIX',
      'KAFKA_SESSION_TIMEOUT_MS',
      'MAX_WRITE_DELAY_MS',
      'OUTPUT_TOPIC_SUFFIX',
      'PG_SCHEMA',
    ]);
  });

  it('reads and validates SITE_CONFIG_FILE once, naming the problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sp-config-'));
    const good = path.join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        version: 1,
        defaults: { piezometer: { rising: { alert: 1, alarm: 2, action: 3 } } },
      }),
    );
    expect(
      readStreamProcessorConfig({ SITE_CONFIG_FILE: good }).siteConfig?.defaults?.piezometer,
    ).toBeDefined();

    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        version: 1,
        defaults: { piezometer: { rising: { alert: 3, alarm: 2, action: 1 } } },
      }),
    );
    const error = configError({ SITE_CONFIG_FILE: bad });
    expect(error.problems[0]).toMatchObject({ variable: 'SITE_CONFIG_FILE' });
    expect(defined(error.problems[0], 'the first problem').message).toContain(
      'defaults.piezometer',
    );
    const missing = configError({ SITE_CONFIG_FILE: path.join(dir, 'missing.json') });
    expect(defined(missing.problems[0], 'the first problem').variable).toBe('SITE_CONFIG_FILE');
  });
});

describe('SerialLock', () => {
  it('runs tasks one at a time, in call order, and survives a failing one', async () => {
    const lock = new SerialLock();
    const order: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        order.push(`${name}>`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`<${name}`);
        if (fail) throw new Error(name);
      };
    const a = lock.run(task('a', 20));
    const b = lock.run(task('b', 1, true));
    const c = lock.run(task('c', 1));
    expect(lock.busy).toBe(true);
    await a;
    await expect(b).rejects.toThrow('b');
    await c;
    expect(order).toEqual(['a>', '<a', 'b>', '<b', 'c>', '<c']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lock.busy).toBe(false);
  });
});

describe('withHeartbeats', () => {
  it('heartbeats while the work runs, and stops when it is done', async () => {
    // The work ends at the third beat: no wall-clock budget that a loaded machine could miss.
    let beats = 0;
    let thirdBeat: () => void = () => undefined;
    const threeBeats = new Promise<void>((resolve) => (thirdBeat = resolve));
    const result = await withHeartbeats(
      async () => {
        if (++beats === 3) thirdBeat();
      },
      5,
      new AbortController().signal,
      async () => {
        await threeBeats;
        return 'done';
      },
    );
    expect(result).toBe('done');
    const beatsAtEnd = beats;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(beats).toBe(beatsAtEnd);
  });

  it('aborts the work and throws the heartbeat’s error when the group rebalances', async () => {
    const rebalancing = Object.assign(new Error('The group is rebalancing'), {
      type: 'REBALANCE_IN_PROGRESS',
    });
    const work = withHeartbeats(
      async () => {
        throw rebalancing;
      },
      5,
      new AbortController().signal,
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    );
    await expect(work).rejects.toBe(rebalancing);
  });
});

describe('sinkRejectedDeadLetter', () => {
  it('keeps the window as payload, sourced at its latest reading, stamped with the window end', () => {
    const record = {
      schema_version: 1 as const,
      id: 'piezometer:P-1:2024-01-01T00:00:00.000Z',
      instrument: 'piezometer' as const,
      borehole_number: 'P-1',
      window_start: '2024-01-01T00:00:00.000Z',
      window_end: '2024-01-01T00:00:10.000Z',
      reading_mean: 1,
      reading_min: 1,
      reading_max: 1,
      reading_count: 1,
      first_timestamp: '2024-01-01T00:00:01.000Z',
      last_timestamp: '2024-01-01T00:00:01.000Z',
      unit: 'kPa',
      surface_level: 1,
      northing: 1,
      easting: 1,
      trigger_level: 'none' as const,
    };
    const deadLetter = sinkRejectedDeadLetter(
      {
        sink: 'elasticsearch',
        recordId: record.id,
        record,
        reason: '400 document_parsing_exception: bad',
        atMs: Date.parse(record.window_end),
      },
      { topic: 'raw', partition: 2, origin: { offset: 41, item: 3 } },
    );
    expect(deadLetter).toMatchObject({
      id: `raw:2:41:items[3]:sink_rejected:elasticsearch:${record.id}`,
      reason: 'sink_rejected',
      source: { topic: 'raw', partition: 2, offset: '41', key: record.id },
      item_index: 3,
      dead_lettered_at: record.window_end,
    });
    expect(JSON.parse(defined(deadLetter.payload_utf8, 'the UTF-8 payload'))).toEqual(record);
    expect(deadLetter.message).toContain('400 document_parsing_exception');
  });
});

describe('FetchHealth', () => {
  it('notes a fetch that never answered (the next one starts) or hangs, and nothing else', () => {
    const health = new FetchHealth(6_000);
    health.fetchStarted(1, 1_000);
    health.fetchStarted(2, 1_000);
    health.fetchAnswered(1);
    health.fetchAnswered(2);
    health.fetchStarted(1, 2_000); // answered fetches, one after another: healthy
    expect(health.lastTroubleAtMs(2_500)).toBe(-Infinity);
    health.fetchStarted(1, 3_000); // the fetch of 2 000 never answered: broker 1 failed it
    expect(health.lastTroubleAtMs(3_000)).toBe(3_000);
    health.fetchAnswered(1);
    health.fetchStarted(2, 4_000);
    expect(health.lastTroubleAtMs(9_000)).toBe(3_000); // out 5 s: still within 6
    expect(health.lastTroubleAtMs(10_500)).toBe(10_000); // hung: overran 6 s at 10 000
    // Counted once: a broker nothing is fetched from any more does not hold it for ever.
    expect(health.lastTroubleAtMs(60_000)).toBe(10_000);
    health.fetchAnswered(2); // a late answer changes nothing
    health.fetchStarted(2, 61_000);
    expect(health.lastTroubleAtMs(61_500)).toBe(10_000);
  });
});

describe('heap compaction after a backlog', () => {
  it('comes once per backlog, once everything is settled and checkpointed since it ended', () => {
    const end = new BacklogEnd(5_000, 0);
    let checkpointedAtMs = 0;
    const sample = (backlogMs: number, settled: boolean, at: number) =>
      end.observe({ backlogMs, settled }, (ms) => checkpointedAtMs >= ms, at);
    // A backlog: behind for longer and longer, then caught up.
    for (let at = 0; at <= 10_000; at += 250) expect(sample(at, false, at)).toBe(false);
    // Caught up, but the last outputs are being written: not settled yet.
    expect(sample(0, false, 10_250)).toBe(false);
    // Settled, but the checkpoint of what changed is still to come (it allocates a lot).
    expect(sample(0, true, 10_500)).toBe(false);
    checkpointedAtMs = 10_600;
    expect(sample(0, true, 10_750)).toBe(true);
    expect(sample(0, true, 11_000)).toBe(false);
    // Live: behind for a moment at each batch or window-close burst, outputs in flight.
    for (let at = 20_000; at < 80_000; at += 500) {
      checkpointedAtMs = at;
      expect(sample(at % 2_000, at % 3_000 === 0, at)).toBe(false);
    }
    // Four seconds behind is not five.
    expect(sample(4_000, false, 90_000)).toBe(false);
    expect(sample(0, true, 90_250)).toBe(false);
    // A backlog whose end is followed by live work before the checkpoint came: still once.
    expect(sample(6_000, false, 100_000)).toBe(false);
    expect(sample(0, true, 100_250)).toBe(false);
    expect(sample(500, false, 100_500)).toBe(false);
    checkpointedAtMs = 100_600;
    expect(sample(0, false, 100_750)).toBe(false);
    expect(sample(0, true, 101_000)).toBe(true);
  });

  it('comes at most once in the least interval, however often the processor falls behind', () => {
    const end = new BacklogEnd(5_000, 600_000);
    const backlogEndedAt = (at: number) =>
      end.observe({ backlogMs: 6_000, settled: false }, () => true, at) ||
      end.observe({ backlogMs: 0, settled: true }, () => true, at + 250);
    expect(backlogEndedAt(10_000)).toBe(true);
    for (let at = 20_000; at < 600_000; at += 20_000) expect(backlogEndedAt(at)).toBe(false);
    expect(backlogEndedAt(620_000)).toBe(true);
  });

  it('counts a partition behind from its assignment or the last time it reached the end of its log', () => {
    const slot = new PartitionSlot(0, 1_000);
    // Its state still loading.
    expect(slot.behindForMs(4_000)).toBe(3_000);
    expect(slot.settled).toBe(false);
    slot.processor = { nextOffset: 100 } as PartitionProcessor;
    // The end of its log not known yet: no backlog of its own.
    expect(slot.behindForMs(4_000)).toBe(0);
    expect(slot.settled).toBe(true);
    slot.highWatermark = 100;
    slot.observeProgress(5_000);
    expect(slot.behindForMs(5_000)).toBe(0);
    // At its end from the first batch: no stretch behind. Idle there, looked at now and then:
    // still none.
    expect(slot.takeBacklogMs(5_000)).toBe(0);
    slot.observeProgress(11_000);
    expect(slot.takeBacklogMs(11_000)).toBe(0);
    // Records left to read from 11 s on.
    slot.highWatermark = 5_000;
    slot.observeProgress(12_000);
    expect(slot.behindForMs(15_000)).toBe(4_000);
    expect(slot.settled).toBe(false);
    slot.highWatermark = 100;
    slot.inflight = Promise.resolve();
    expect(slot.behindForMs(15_000)).toBe(0);
    expect(slot.settled).toBe(false);
    slot.inflight = undefined;
    // Caught up at 16 s, between two samples: the stretch still counts, once.
    slot.observeProgress(16_000);
    expect(slot.takeBacklogMs(16_100)).toBe(5_000);
    expect(slot.takeBacklogMs(16_200)).toBe(0);
  });

  it('gives back what the heap grew to and no longer holds', () => {
    let garbage: Array<{ index: number; text: string }> | undefined = [];
    for (let i = 0; i < 1_000_000; i++) garbage.push({ index: i, text: `reading ${i}` });
    garbage = undefined;
    const compacted = compactHeap();
    expect(compacted.heapBytesAfter).toBeLessThan(compacted.heapBytesBefore * 0.6);
    // Reached again without setting anything up twice.
    expect(compactHeap().heapBytesAfter).toBeLessThanOrEqual(compacted.heapBytesBefore);
  });
});

describe('PartitionRunner.onAssignment', () => {
  it('drops the gauges of a partition it no longer holds, and keeps those of the rest', async () => {
    const registry = new Registry();
    const metrics = createProcessorMetrics(registry);
    // onAssignment touches only its partitions and the metrics: the rest is never called.
    const runner = new PartitionRunner({
      metrics,
      logger: createLogger('shell-parts', 'silent'),
      now: () => 0,
    } as unknown as PartitionRunnerOptions);
    runner.onAssignment([0, 1, 2]);
    for (const partition of ['0', '1', '2']) {
      metrics.consumerLag.set({ partition }, 31_334);
      metrics.checkpointAgeSeconds.set({ partition }, 12);
      metrics.partitionStalled.set({ partition }, 1);
    }
    // A worker or instance joined: partition 1 moved to it. Its new owner reports it now; a
    // stale lag left here would be added to that owner's in a summed /metrics for ever.
    runner.onAssignment([0, 2]);
    const partitionsOf = async (name: string) =>
      ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => v.labels.partition);
    for (const name of [
      'stream_processor_consumer_lag',
      'stream_processor_checkpoint_age_seconds',
      'stream_processor_partition_stalled',
    ])
      expect([name, await partitionsOf(name)]).toEqual([name, ['0', '2']]);
    expect(
      (await registry.getSingleMetric('stream_processor_partitions_assigned')?.get())?.values[0]
        ?.value,
    ).toBe(2);
  });
});

describe('WriteScheduler checkpoints', () => {
  const INTERVAL = 10_000;
  let clock = 0;
  const written: Array<{ windows: number; checkpoint: boolean }> = [];
  const scheduler = new WriteScheduler({
    rawTopic: 'raw',
    writeOutputs: async (_partition, batch, checkpoint) => {
      written.push({ windows: batch.windows.length, checkpoint: checkpoint !== undefined });
    },
    logger: createLogger('shell-parts', 'silent'),
    now: () => clock,
    lifetime: new AbortController().signal,
    checkpointIntervalMs: INTERVAL,
    maxWriteDelayMs: 1_000,
    maxPendingOutputs: 20_000,
  } satisfies WriteSchedulerOptions);
  const consumer = { commitOffsets: async () => undefined };
  const signal = new AbortController().signal;
  // Only what start() reads of the processor: its checkpoint and position.
  const slotAt = (createdAtMs: number): PartitionSlot => {
    const slot = new PartitionSlot(0, createdAtMs);
    slot.processor = {
      nextOffset: 100,
      checkpoint: () => ({ header: { nextOffset: 100 }, upserts: [], deletes: [] }),
    } as unknown as PartitionSlot['processor'];
    return slot;
  };
  // As the runner does for a batch that closed a window; live: nothing left to read after it.
  const closeWindow = (slot: PartitionSlot, live: boolean) => {
    slot.pending.add(
      {
        windows: [{ id: 'w' }],
        windowOrigins: [],
        windowClocks: [],
        alerts: [],
        deadLetters: [],
      } as unknown as Parameters<PartitionSlot['pending']['add']>[0],
      clock,
    );
    scheduler.noteWindows(slot, clock);
    if (live) slot.caughtUpAtMs = clock;
  };
  beforeEach(() => {
    clock = 0;
    written.length = 0;
  });

  it('a live partition writes a burst of windows without the due checkpoint, and checkpoints in the lull after it', async () => {
    const slot = slotAt(0);
    clock = INTERVAL - 2_000; // the previous burst, after a lull
    closeWindow(slot, true);
    await scheduler.write(slot, consumer, signal, false);
    clock = INTERVAL + 200; // the checkpoint is due in the middle of the next burst
    closeWindow(slot, true);
    expect(scheduler.checkpointDue(slot, clock)).toBe(false);
    await scheduler.write(slot, consumer, signal, false);
    expect(written).toEqual([
      { windows: 1, checkpoint: false },
      { windows: 1, checkpoint: false },
    ]);
    // The burst's write finished: the lull counts from then.
    const finished = slot.lastWindowsAtMs;
    clock = finished + CHECKPOINT_LULL_MS - 1;
    slot.caughtUpAtMs = clock;
    expect(scheduler.checkpointDue(slot, clock)).toBe(false);
    clock = finished + CHECKPOINT_LULL_MS;
    expect(scheduler.checkpointDue(slot, clock)).toBe(true);
    await scheduler.write(slot, consumer, signal, false);
    expect(written[2]).toEqual({ windows: 0, checkpoint: true });
    expect(slot.checkpointedOffset).toBe(100);
  });

  it('a burst that never ends holds the checkpoint back for one interval at most', () => {
    const slot = slotAt(0);
    const burstStart = INTERVAL - 100; // after a lull, just before the checkpoint is due
    for (clock = burstStart; clock < burstStart + INTERVAL; clock += 100) {
      closeWindow(slot, true);
      expect([clock, scheduler.checkpointDue(slot, clock)]).toEqual([clock, false]);
    }
    closeWindow(slot, true);
    expect(scheduler.checkpointDue(slot, clock)).toBe(true);
    expect(clock).toBeLessThanOrEqual(2 * INTERVAL);
  });

  it('a live partition whose windows close steadily (no burst to avoid) checkpoints every interval', () => {
    const slot = slotAt(0);
    // From the start (a restart's first windows come at once): no lull, so no burst.
    for (clock = 0; clock < INTERVAL; clock += 100) closeWindow(slot, true);
    closeWindow(slot, true);
    expect(scheduler.checkpointDue(slot, INTERVAL)).toBe(true);
  });

  it('a partition catching up on a backlog writes the due checkpoint with its windows', async () => {
    const slot = slotAt(0);
    clock = 5_000; // a burst after a lull, but never caught up
    closeWindow(slot, false);
    clock = INTERVAL - 1;
    closeWindow(slot, false);
    expect(scheduler.checkpointDue(slot, clock)).toBe(false);
    clock = INTERVAL;
    closeWindow(slot, false);
    expect(scheduler.checkpointDue(slot, clock)).toBe(true);
    await scheduler.write(slot, consumer, signal, false);
    expect(written).toEqual([{ windows: 3, checkpoint: true }]);
  });
});
