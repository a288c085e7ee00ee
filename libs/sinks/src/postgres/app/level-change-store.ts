import type { Knex } from 'knex';
import {
  LEVEL_CHANGE_VERSION,
  type InstrumentType,
  type TriggerLevelChange,
  type TriggerLevelsConfig,
} from '@geostream/instrument-schemas';
import { qualified } from '../identifiers';
import { APP_TABLES as T } from './app-tables';

/** A trigger-level change as stored: the audit entry, and whether the raw topic has it yet. */
export interface StoredLevelChange {
  /** bigint as a decimal string. */
  readonly id: string;
  readonly instrument: InstrumentType;
  /** null: the type's default. */
  readonly borehole_number: string | null;
  /** null: back to the site configuration file. */
  readonly trigger_levels: TriggerLevelsConfig | null;
  readonly changed_by: string;
  /** ISO-8601 UTC. */
  readonly changed_at: string;
  readonly comment: string;
  /** Written to every partition of the raw topic (the processors apply it from there). */
  readonly published: boolean;
}

export interface NewLevelChange {
  readonly instrument: InstrumentType;
  readonly borehole_number: string | null;
  readonly trigger_levels: TriggerLevelsConfig | null;
  readonly changed_by: string;
  readonly changed_at: Date;
  readonly comment: string;
}

/**
 * Admins' trigger-level changes in the app schema: the append-only record of each (who, when,
 * what, why) and the outbox of those still to be written to the raw topic. Both in one
 * transaction, so a change is either recorded and queued, or neither.
 */
export interface LevelChangeStore {
  record(change: NewLevelChange): Promise<StoredLevelChange>;
  /** The latest change of each scope, returns to the file included; by scope. */
  current(): Promise<StoredLevelChange[]>;
  /** Every change, newest first; `beforeId` pages on. */
  history(options: {
    readonly limit: number;
    readonly beforeId?: string;
  }): Promise<StoredLevelChange[]>;
  /** Queued changes in id order, as the raw topic carries them. */
  pending(limit: number): Promise<TriggerLevelChange[]>;
  /** Marks changes as written to every partition. */
  published(changeIds: readonly number[]): Promise<void>;
  /** How many wait. */
  backlog(): Promise<number>;
  /** When the oldest waiting change was made (ISO-8601), null when none waits (for /health). */
  waitingSince(): Promise<string | null>;
}

interface LevelChangeRow {
  id: string;
  instrument: InstrumentType;
  borehole_number: string | null;
  trigger_levels: TriggerLevelsConfig | null;
  changed_by: string;
  changed_at: Date;
  comment: string;
  published: boolean;
}

const toStored = (row: LevelChangeRow): StoredLevelChange => ({
  id: String(row.id),
  instrument: row.instrument,
  borehole_number: row.borehole_number,
  trigger_levels: row.trigger_levels,
  changed_by: row.changed_by,
  changed_at: row.changed_at.toISOString(),
  comment: row.comment,
  published: row.published,
});

/** The record the raw topic carries for a stored change. */
export function levelChangeOf(change: StoredLevelChange): TriggerLevelChange {
  return {
    version: LEVEL_CHANGE_VERSION,
    change_id: Number(change.id),
    instrument: change.instrument,
    borehole_number: change.borehole_number,
    trigger_levels: change.trigger_levels,
    changed_by: change.changed_by,
    changed_at: change.changed_at,
  };
}

export function createLevelChangeStore(knex: Knex, schema: string): LevelChangeStore {
  const changes = qualified(schema, T.levelChange);
  const outbox = qualified(schema, T.levelOutbox);
  const select = `select c.*, (o.change_id is null) as published
    from ${changes} c left join ${outbox} o on o.change_id = c.id`;
  const rows = async (sql: string, bindings: readonly unknown[]) =>
    ((await knex.raw(sql, bindings as Knex.RawBinding[])) as { rows: LevelChangeRow[] }).rows.map(
      toStored,
    );
  return {
    async record(change) {
      return knex.transaction(async (tx) => {
        const [row] = (await tx
          .withSchema(schema)
          .table(T.levelChange)
          .insert({
            instrument: change.instrument,
            borehole_number: change.borehole_number,
            // jsonb: knex would otherwise send an object as a PostgreSQL record.
            trigger_levels:
              change.trigger_levels === null ? null : JSON.stringify(change.trigger_levels),
            changed_by: change.changed_by,
            changed_at: change.changed_at,
            comment: change.comment,
          })
          .returning('*')) as LevelChangeRow[];
        if (row === undefined) throw new Error('the level change was not stored');
        await tx.withSchema(schema).table(T.levelOutbox).insert({ change_id: row.id });
        return toStored({ ...row, published: false });
      });
    },
    current: () =>
      rows(
        `select distinct on (c.instrument, c.borehole_number) c.*, (o.change_id is null) as published
         from ${changes} c left join ${outbox} o on o.change_id = c.id
         order by c.instrument, c.borehole_number nulls first, c.id desc`,
        [],
      ),
    history: ({ limit, beforeId }) =>
      beforeId === undefined
        ? rows(`${select} order by c.id desc limit ?`, [limit])
        : rows(`${select} where c.id < ? order by c.id desc limit ?`, [beforeId, limit]),
    async pending(limit) {
      const queued = await rows(
        `select c.*, false as published from ${outbox} o join ${changes} c on c.id = o.change_id
         order by o.change_id limit ?`,
        [limit],
      );
      return queued.map(levelChangeOf);
    },
    async published(changeIds) {
      if (changeIds.length === 0) return;
      await knex.withSchema(schema).table(T.levelOutbox).whereIn('change_id', changeIds).delete();
    },
    async backlog() {
      const row = (await knex.withSchema(schema).table(T.levelOutbox).count({ n: '*' }).first()) as
        { n: string | number } | undefined;
      return Number(row?.n ?? 0);
    },
    async waitingSince() {
      const result = (await knex.raw(
        `select min(c.changed_at) as since from ${outbox} o join ${changes} c on c.id = o.change_id`,
      )) as { rows: { since: Date | null }[] };
      return result.rows[0]?.since?.toISOString() ?? null;
    },
  };
}
