import { tumblingWindows } from '@geostream/windowed-aggregator';
import { PartitionProcessor } from '../src/core/partition-processor';
import { triggerLevelsFromSiteConfig } from '../src/core/trigger-levels';
import { benchMessage } from './workload';
const workload = { partitions: 3, instrumentsPerPartition: 1000, readingEveryMs: 1000 };
const N = 200_000;
const msgs = Array.from({ length: N }, (_, i) => {
  const m = benchMessage(workload, 0, i);
  return { offset: String(i), key: Buffer.from(m.key), value: m.value, timestamp: '1704067200000' };
});
const p = PartitionProcessor.fresh({
  topic: 'raw',
  partition: 0,
  spec: tumblingWindows({ sizeMs: 10000, graceMs: 5000 }),
  triggerLevels: triggerLevelsFromSiteConfig(undefined),
});
let t = performance.now();
let windows = 0;
let cps = 0;
let cpBytes = 0;
let cpMs = 0;
for (let i = 0; i < N; i += 4000) {
  const out = p.processBatch(msgs.slice(i, i + 4000));
  windows += out.windows.length;
  if (out.windows.length) {
    const c0 = performance.now();
    const s = JSON.stringify(p.checkpoint());
    cpMs += performance.now() - c0;
    cps++;
    cpBytes += s.length;
  }
}
const el = performance.now() - t;
console.log({
  readingsPerSec: Math.round(N / (el / 1000)),
  windows,
  cps,
  avgCheckpointKB: Math.round(cpBytes / cps / 1024),
  checkpointMsTotal: Math.round(cpMs),
  totalMs: Math.round(el),
});
