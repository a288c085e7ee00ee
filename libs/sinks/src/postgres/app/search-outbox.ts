import type { Knex } from 'knex';
import { qualified } from '../identifiers';
import { APP_TABLES as T } from './app-tables';
import { auditRowToEntry, type AuditRow, type StoredAuditEntry } from './alarm-store';

/**
 * Audit entries waiting to be indexed in Elasticsearch: each transition adds its entry here in
 * its own transaction, and the indexer removes it once Elasticsearch has it. A crash between
 * the two indexes it again, which overwrites the same documents.
 */
export interface SearchOutbox {
  /** The oldest waiting entries, in audit order. */
  pending(limit: number): Promise<StoredAuditEntry[]>;
  done(auditIds: readonly string[]): Promise<void>;
  /** How many wait (for /health and metrics). */
  backlog(): Promise<number>;
}

export function createSearchOutbox(knex: Knex, schema: string): SearchOutbox {
  return {
    async pending(limit) {
      const result = (await knex.raw(
        `select a.* from ${qualified(schema, T.searchOutbox)} s
         join ${qualified(schema, T.alarmAudit)} a on a.id = s.audit_id
         order by s.audit_id limit ?`,
        [limit],
      )) as { rows: AuditRow[] };
      return result.rows.map(auditRowToEntry);
    },
    async done(auditIds) {
      if (auditIds.length === 0) return;
      await knex.withSchema(schema).table(T.searchOutbox).whereIn('audit_id', auditIds).delete();
    },
    async backlog() {
      const row = (await knex
        .withSchema(schema)
        .table(T.searchOutbox)
        .count({ n: '*' })
        .first()) as { n: string | number } | undefined;
      return Number(row?.n ?? 0);
    },
  };
}
