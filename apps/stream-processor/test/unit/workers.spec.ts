import { availableParallelism } from 'node:os';
import { ConfigError } from '@geostream/platform';
import { readStreamProcessorConfig } from '../../src/config';
import { AggregatorRegistry, Registry } from 'prom-client';
import { combinedHealth } from '../../src/shell/combined-health';
import { registerWorkerHeapMetrics } from '../../src/shell/metrics';

describe('PROCESSOR_WORKERS', () => {
  it('defaults to one worker per CPU, at most four', () => {
    expect(readStreamProcessorConfig({}).workers).toBe(Math.min(availableParallelism(), 4));
    expect(readStreamProcessorConfig({ PROCESSOR_WORKERS: 'auto' }).workers).toBe(
      Math.min(availableParallelism(), 4),
    );
  });

  it('takes a number of threads from 1 to 64, and refuses anything else naming the variable', () => {
    expect(readStreamProcessorConfig({ PROCESSOR_WORKERS: '1' }).workers).toBe(1);
    expect(readStreamProcessorConfig({ PROCESSOR_WORKERS: '64' }).workers).toBe(64);
    for (const bad of ['0', '65', '2.5', 'two', '-1']) {
      expect(() => readStreamProcessorConfig({ PROCESSOR_WORKERS: bad })).toThrow(ConfigError);
      expect(() => readStreamProcessorConfig({ PROCESSOR_WORKERS: bad })).toThrow(
        /PROCESSOR_WORKERS/,
      );
    }
  });
});

describe('combinedHealth (one /health for several workers)', () => {
  const healthy = (partitions: number) => ({
    status: 'ok' as const,
    checks: {
      consumer: { ok: true, detail: `${partitions} partition(s) assigned` },
      postgres: { ok: true },
    },
  });

  it('is ok when every worker is, and says what each holds', () => {
    expect(combinedHealth([healthy(3), healthy(2)])).toEqual({
      status: 'ok',
      checks: {
        consumer: {
          ok: true,
          detail: 'worker 1: 3 partition(s) assigned; worker 2: 2 partition(s) assigned',
        },
        postgres: { ok: true },
      },
    });
  });

  it('takes the worst status, fails a shared check if one worker fails it, keeps partition checks', () => {
    const stalled = {
      status: 'degraded' as const,
      checks: {
        consumer: { ok: true, detail: '3 partition(s) assigned' },
        postgres: { ok: false, detail: 'retrying: connection refused' },
        'partition 4': { ok: false, detail: '120 records behind, no progress for 61 s' },
      },
    };
    const report = combinedHealth([healthy(3), stalled]);
    expect(report.status).toBe('degraded');
    expect(report.checks['postgres']).toEqual({
      ok: false,
      detail: 'worker 2: retrying: connection refused',
    });
    expect(report.checks['partition 4']).toEqual({
      ok: false,
      detail: 'worker 2: 120 records behind, no progress for 61 s',
    });
    const down = { status: 'down' as const, checks: { consumer: { ok: false, detail: 'gone' } } };
    expect(combinedHealth([stalled, down, healthy(1)]).status).toBe('down');
  });

  it('names a worker that did not answer, and is degraded for it', () => {
    const report = combinedHealth([healthy(3), undefined]);
    expect(report.status).toBe('degraded');
    expect(report.checks['worker 2']).toEqual({ ok: false, detail: 'did not answer' });
    expect(report.checks['consumer']?.ok).toBe(true);
  });
});

describe('registerWorkerHeapMetrics', () => {
  it("reports each worker's V8 heap under its own label, kept apart when /metrics sums the workers", async () => {
    const workerMetrics = await Promise.all(
      [1, 2].map((worker) => {
        const registry = new Registry();
        registerWorkerHeapMetrics(registry, worker);
        return registry.getMetricsAsJSON();
      }),
    );
    const summed = AggregatorRegistry.aggregate(workerMetrics);
    for (const name of [
      'stream_processor_worker_heap_used_bytes',
      'stream_processor_worker_heap_size_bytes',
    ]) {
      const values = (await summed.getSingleMetric(name)?.get())?.values ?? [];
      expect(values.map((v) => v.labels['worker']).sort()).toEqual(['1', '2']);
      for (const v of values) expect(v.value).toBeGreaterThan(1_000_000);
    }
  });
});
