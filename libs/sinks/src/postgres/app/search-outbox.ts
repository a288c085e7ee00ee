import type { Knex } from 'knex';
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
      const rows = (await knex
        .withSchema(schema)
        .select('a.*')
        .from({ s: T.searchOutbox })
        .join({ a: T.alarmAudit }, 'a.id', 's.audit_id')
        .orderBy('s.audit_id')
        .limit(limit)) as AuditRow[];
      return rows.map(auditRowToEntry);
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
