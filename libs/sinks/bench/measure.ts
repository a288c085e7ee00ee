import { performance } from 'node:perf_hooks';

export interface Measurement {
  readonly label: string;
  readonly batchSize: number;
  readonly windows: number;
  readonly windowsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Runs `write` over every batch in turn (one warm-up batch first) and times each call. */
export async function measure<B>(
  label: string,
  batches: readonly B[],
  sizeOf: (batch: B) => number,
  write: (batch: B) => Promise<unknown>,
): Promise<Measurement> {
  const [warmUp] = batches;
  if (warmUp !== undefined) await write(warmUp);
  const latencies: number[] = [];
  let windows = 0;
  const started = performance.now();
  for (const batch of batches.slice(1)) {
    const t = performance.now();
    await write(batch);
    latencies.push(performance.now() - t);
    windows += sizeOf(batch);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    label,
    batchSize: sizeOf(batches[1] ?? (warmUp as B)),
    windows,
    windowsPerSecond: Math.round(windows / seconds),
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
  };
}

export function table(rows: readonly Measurement[]): string {
  const lines = [
    '| sink / case | batch | windows | windows/s | batch p50 ms | batch p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.batchSize} | ${r.windows} | ${r.windowsPerSecond.toLocaleString('en')} | ${r.p50Ms} | ${r.p99Ms} |`,
    ),
  ];
  return lines.join('\n');
}
