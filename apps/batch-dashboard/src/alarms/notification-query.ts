import type { Knex } from 'knex';
import { APP_TABLES, type NotificationStatus } from '@geostream/sinks/names';

/** What was sent and what is failing: the outbox, newest first, without payloads or secrets. */
export const NOTIFICATION_COLUMNS = [
  'id',
  'created_at',
  'alarm_id',
  'audit_id',
  'route_name',
  'channel',
  'target',
  'status',
  'attempts',
  'last_attempt_at',
  'next_attempt_at',
  'sent_at',
  'last_error',
  'idempotency_key',
] as const;

export function notificationQuery(
  db: Knex,
  filter: { status?: NotificationStatus; beforeId?: string; limit: number },
): Knex.QueryBuilder {
  const query = db(APP_TABLES.notificationOutbox)
    .select(...NOTIFICATION_COLUMNS)
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status !== undefined) void query.where('status', filter.status);
  if (filter.beforeId !== undefined) void query.where('id', '<', filter.beforeId);
  return query;
}

/** How many notifications are in each status. */
export async function notificationCounts(db: Knex): Promise<Record<NotificationStatus, number>> {
  const rows = (await db(APP_TABLES.notificationOutbox)
    .select('status')
    .count({ n: '*' })
    .groupBy('status')) as { status: NotificationStatus; n: string | number }[];
  const counts = { pending: 0, failing: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export const ROUTE_COLUMNS = [
  'id',
  'name',
  'channel',
  'target',
  'min_level',
  'conditions',
  'instrument_types',
  'actions',
  'enabled',
  'created_by',
  'created_at',
] as const;
