import type { HealthReport } from '@geostream/platform';

const SEVERITY: Record<HealthReport['status'], number> = { ok: 0, degraded: 1, down: 2 };

/**
 * One /health for a process of several workers: the worst status, and each check named once.
 * Partition checks are already distinct (a partition belongs to one worker); a check every
 * worker reports (consumer, each sink) is ok only if it is ok in all of them, and says which
 * worker said what. A worker that did not answer (`undefined`) is named, and makes the process
 * degraded: its partitions are not known to be moving.
 */
export function combinedHealth(reports: readonly (HealthReport | undefined)[]): HealthReport {
  let status: HealthReport['status'] = 'ok';
  const parts = new Map<string, { ok: boolean; details: string[] }>();
  reports.forEach((report, i) => {
    const worker = `worker ${i + 1}`;
    if (report === undefined) {
      if (SEVERITY[status] < SEVERITY.degraded) status = 'degraded';
      parts.set(worker, { ok: false, details: ['did not answer'] });
      return;
    }
    if (SEVERITY[report.status] > SEVERITY[status]) status = report.status;
    for (const [name, check] of Object.entries(report.checks)) {
      const part = parts.get(name) ?? { ok: true, details: [] };
      part.ok &&= check.ok;
      if (check.detail !== undefined) part.details.push(`${worker}: ${check.detail}`);
      parts.set(name, part);
    }
  });
  const checks: Record<string, { ok: boolean; detail?: string }> = {};
  for (const [name, { ok, details }] of parts)
    checks[name] = details.length === 0 ? { ok } : { ok, detail: details.join('; ') };
  return { status, checks };
}
