import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { POSTGRES_TABLES as T } from '@geostream/sinks';
import type { PartitionBounds, PartitionCheckpoint } from './progress';
import { qualifiedName } from './sql';
import type {
  AccountingTotals,
  AlertChanges,
  Comparison,
  Coverage,
  WindowChanges,
} from './verify-report';

/** The raw topic's retained records per partition. */
export async function logBounds(admin: Admin, topic: string): Promise<PartitionBounds[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
}

interface CheckpointRow {
  partition: number;
  next_offset: string;
  accounting: Record<string, unknown> | null;
}

/** A version's checkpoints of the raw topic, with the accounting each carries. */
export async function versionCheckpoints(
  db: Knex,
  version: { pgSchema: string; consumerGroup: string },
  topic: string,
): Promise<{ checkpoints: PartitionCheckpoint[]; accounting: AccountingTotals }> {
  const present = await db.raw<{ rows: { present: boolean }[] }>(
    'select to_regclass(?) is not null as present',
    [qualifiedName(version.pgSchema, T.processorCheckpoint)],
  );
  const rows: CheckpointRow[] = present.rows[0]?.present
    ? await db(T.processorCheckpoint)
        .withSchema(version.pgSchema)
        .where({ consumer_group: version.consumerGroup, topic })
        .select('partition', 'next_offset', db.raw("state->'accounting' as accounting"))
    : [];
  const sum = (name: string) =>
    rows.reduce((total, row) => total + Number(row.accounting?.[name] ?? 0), 0);
  const deadLettered = rows.reduce(
    (total, row) =>
      total +
      Object.values((row.accounting?.['deadLettered'] ?? {}) as Record<string, number>).reduce(
        (a, b) => a + Number(b),
        0,
      ),
    0,
  );
  return {
    checkpoints: rows.map((r) => ({ partition: r.partition, nextOffset: Number(r.next_offset) })),
    accounting: {
      readings: sum('readings'),
      counted: sum('counted'),
      duplicates: sum('duplicates'),
      deadLettered,
      partitions: rows.length,
    },
  };
}

async function coverage(db: Knex, schema: string): Promise<Coverage> {
  const table = qualifiedName(schema, T.readingWindow);
  const instruments = await db.raw<{ rows: { key: string }[] }>(
    `select distinct instrument || ':' || borehole_number as key from ${table} order by 1`,
  );
  const period = await db.raw<{ rows: { from: Date | null; to: Date | null }[] }>(
    `select min(first_timestamp) as "from", max(last_timestamp) as "to" from ${table}`,
  );
  const p = period.rows[0];
  return {
    instruments: instruments.rows.map((r) => r.key),
    from: p?.from ? p.from.toISOString() : null,
    to: p?.to ? p.to.toISOString() : null,
  };
}

async function windowChanges(db: Knex, current: string, candidate: string): Promise<WindowChanges> {
  const result = await db.raw<{ rows: Record<keyof WindowChanges, string>[] }>(`
    select
      count(*) filter (where c.id is not null and n.id is not null) as "sameBounds",
      count(*) filter (where c.id is not null and n.id is not null and
        (c.reading_mean <> n.reading_mean or c.reading_min <> n.reading_min or
         c.reading_max <> n.reading_max or c.reading_count <> n.reading_count)) as "valueChanged",
      count(*) filter (where c.id is not null and n.id is not null and
        c.trigger_level <> n.trigger_level) as "levelChanged",
      count(*) filter (where n.id is null) as "onlyInCurrent",
      count(*) filter (where c.id is null) as "onlyInCandidate"
    from ${qualifiedName(current, T.readingWindow)} c
    full outer join ${qualifiedName(candidate, T.readingWindow)} n
      on c.instrument = n.instrument and c.borehole_number = n.borehole_number
     and c.window_start = n.window_start and c.window_end = n.window_end
  `);
  const row = result.rows[0];
  if (row === undefined) throw new Error('a count without a row');
  return {
    sameBounds: Number(row.sameBounds),
    valueChanged: Number(row.valueChanged),
    levelChanged: Number(row.levelChanged),
    onlyInCurrent: Number(row.onlyInCurrent),
    onlyInCandidate: Number(row.onlyInCandidate),
  };
}

async function levelCounts(db: Knex, schema: string): Promise<Record<string, number>> {
  const result = await db.raw<{ rows: { level: string; count: string }[] }>(
    `select trigger_level as level, count(*) as count from ${qualifiedName(schema, T.readingWindow)}
     where trigger_level <> 'none' group by 1`,
  );
  return Object.fromEntries(result.rows.map((r) => [r.level, Number(r.count)]));
}

/** An alert's identity across versions (its id derives from the window id, which may differ). */
const ALERT_SIGNATURE = `concat_ws(' ', condition, kind, instrument || ':' || borehole_number,
  from_level || '->' || to_level, coalesce(direction, ''), 'at', coalesce(
  to_char(window_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')))`;

async function alertChanges(db: Knex, current: string, candidate: string): Promise<AlertChanges> {
  const only = async (from: string, minus: string) => {
    const result = await db.raw<{ rows: { signature: string }[] }>(
      `select ${ALERT_SIGNATURE} as signature from ${qualifiedName(from, T.alertEvent)}
       except select ${ALERT_SIGNATURE} from ${qualifiedName(minus, T.alertEvent)}
       order by 1`,
    );
    return result.rows.map((r) => r.signature);
  };
  const added = await only(candidate, current);
  const removed = await only(current, candidate);
  return {
    added: added.length,
    removed: removed.length,
    addedExamples: added.slice(0, 5),
    removedExamples: removed.slice(0, 5),
  };
}

/** What changed from the current version's tables to the candidate's. */
export async function compareVersions(
  db: Knex,
  current: { version: string; pgSchema: string },
  candidate: { pgSchema: string },
): Promise<Comparison> {
  return {
    against: current.version,
    coverage: {
      current: await coverage(db, current.pgSchema),
      candidate: await coverage(db, candidate.pgSchema),
    },
    windows: await windowChanges(db, current.pgSchema, candidate.pgSchema),
    levels: {
      current: await levelCounts(db, current.pgSchema),
      candidate: await levelCounts(db, candidate.pgSchema),
    },
    alerts: await alertChanges(db, current.pgSchema, candidate.pgSchema),
  };
}
