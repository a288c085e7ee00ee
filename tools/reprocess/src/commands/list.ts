import type { Context } from '../context';
import { isAlive } from '../processor-child';
import { listVersions, readPointer } from '../registry';

export async function list(ctx: Context): Promise<void> {
  const { config } = ctx;
  const pointer = await readPointer(ctx.db, config.readSchema);
  const rows = await listVersions(ctx.db, config.readSchema);
  if (rows.length === 0)
    ctx.out(
      'no versions yet: `reprocess adopt v1` (the running deployment) or `reprocess start <version>`',
    );
  for (const row of rows) {
    const mark =
      row.version === pointer.current
        ? 'current'
        : row.version === pointer.previous
          ? 'previous'
          : '';
    const running = row.pid === null ? '' : isAlive(row.pid) ? ` pid ${row.pid}` : ' (stopped)';
    ctx.out(
      `${row.version.padEnd(12)} ${mark.padEnd(8)} ${row.state.padEnd(8)} schema ${row.pgSchema},` +
        ` indices ${row.esIndexPrefix}-*, topics *${row.topicSuffix}${running}` +
        (Object.keys(row.settings).length > 0
          ? `, settings ${Object.entries(row.settings)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`
          : ''),
    );
  }
}
