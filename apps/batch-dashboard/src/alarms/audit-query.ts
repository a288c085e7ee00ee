import type { Knex } from 'knex';
import type { AuditAction } from '@geostream/alerting';
import type { InstrumentType } from '@geostream/instrument-schemas';
import { APP_TABLES } from '@geostream/sinks/names';

/** The audit log's columns as the page and the CSV export show them, in order. */
export const AUDIT_COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'alarm_id',
  'condition',
  'instrument',
  'borehole_number',
  'from_state',
  'to_state',
  'from_level',
  'to_level',
  'shelved_until',
  'comment',
  'event_id',
  'recorded_at',
] as const;

export interface AuditFilter {
  readonly alarmId?: string;
  readonly type?: InstrumentType;
  readonly borehole?: string;
  readonly action?: AuditAction;
  readonly by?: string;
  /** `at` at or after / before. */
  readonly from?: Date;
  readonly to?: Date;
  /** Keyset: entries with an id below this one (the previous page's last). */
  readonly beforeId?: string;
}

/**
 * Audit entries, newest first by id (the order they were recorded in), filtered. Paged by
 * keyset on the id (the primary key: an index seek at any depth); the filters use the
 * (alarm_id, id), (instrument, borehole_number, id) and (at, id) indexes.
 */
export function auditQuery(db: Knex, filter: AuditFilter): Knex.QueryBuilder {
  const query = db(APP_TABLES.alarmAudit)
    .select(...AUDIT_COLUMNS)
    .orderBy('id', 'desc');
  if (filter.alarmId !== undefined) void query.where('alarm_id', filter.alarmId);
  if (filter.type !== undefined) void query.where('instrument', filter.type);
  if (filter.borehole !== undefined) void query.where('borehole_number', filter.borehole);
  if (filter.action !== undefined) void query.where('action', filter.action);
  if (filter.by !== undefined) void query.where('actor', filter.by);
  if (filter.from !== undefined) void query.where('at', '>=', filter.from);
  if (filter.to !== undefined) void query.where('at', '<', filter.to);
  if (filter.beforeId !== undefined) void query.where('id', '<', filter.beforeId);
  return query;
}
