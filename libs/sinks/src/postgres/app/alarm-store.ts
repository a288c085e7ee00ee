import type { Knex } from 'knex';
import {
  notificationPayload,
  readAlarmLifecycle,
  routingLevel,
  type AlarmAuditEntry,
  type AlarmLifecycle,
  type AlarmTransition,
} from '@geostream/alerting';
import {
  alarmPointKeyOf,
  triggerLevelRank,
  type AlarmCondition,
  type AlarmEvent,
  type InstrumentType,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import { qualified } from '../identifiers';
import { alarmChannel, APP_TABLES as T, type AlarmEventStatus } from './app-tables';

/**
 * The alarm lifecycle in PostgreSQL, for the alarm-manager (events from the log) and the
 * dashboard (people's actions) alike: every change of a point runs in one transaction that holds
 * the point's lock, and writes the point's new state, its audit entry, the notifications its
 * routes call for and the entry's place in the search outbox, then NOTIFYs the point's change
 * (delivered on commit only). The decisions are @geostream/alerting's; this only stores them.
 */
export interface AlarmStore {
  readonly schema: string;
  /** LISTEN here for committed transitions: payload {alarm_id, point, action, audit_id}. */
  readonly channel: string;
  transaction<T>(work: (tx: AlarmTx) => Promise<T>): Promise<T>;
  /** Points with events parked since before `before` (their predecessor never came). */
  pointsWithParkedEvents(before: Date, limit: number): Promise<string[]>;
  /** Points whose shelf ended at or before `now` and is still recorded. */
  pointsWithExpiredShelves(now: Date, limit: number): Promise<string[]>;
}

export interface AlarmTx {
  /** Takes the point's lock until commit and reads its lifecycle (undefined: never raised). */
  lockPoint(point: string): Promise<AlarmLifecycle | undefined>;
  /**
   * Locks the point of an occurrence and reads it: `current` when the id is the point's current
   * occurrence, false for an older one (known from its audit entries). Undefined: unknown id.
   */
  lockOccurrence(
    alarmId: string,
  ): Promise<{ readonly lifecycle: AlarmLifecycle; readonly current: boolean } | undefined>;
  /** Records an event from the log by its id; false when that id was received before. */
  receiveEvent(event: AlarmEvent, source: string): Promise<boolean>;
  settleEvent(eventId: string, status: AlarmEventStatus): Promise<void>;
  /** The point's parked events, oldest first (by occurred_at, then id). */
  parkedEvents(point: string): Promise<AlarmEvent[]>;
  /** Writes one transition (see AlarmStore); `notify: false` for a shelved point or a replay. */
  writeTransition(transition: AlarmTransition, options: WriteOptions): Promise<WrittenTransition>;
}

export interface WriteOptions {
  readonly notify: boolean;
  /** The event applied, for a raise or clear: it goes into the notification. */
  readonly event?: AlarmEvent;
}

export interface WrittenTransition {
  readonly auditId: string;
  /** Notifications queued for it. */
  readonly notifications: number;
}

/** An audit entry as stored, with what the row adds to AlarmAuditEntry. */
export interface StoredAuditEntry extends AlarmAuditEntry {
  /** bigint as a decimal string. */
  readonly id: string;
  readonly condition: AlarmCondition;
  readonly instrument: InstrumentType;
  readonly borehole_number: string;
  /** The point's lifecycle right after this transition. */
  readonly lifecycle: AlarmLifecycle;
  readonly recorded_at: string;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

interface AuditRow {
  id: string;
  alarm_id: string;
  point: string;
  condition: AlarmCondition;
  instrument: InstrumentType;
  borehole_number: string;
  action: AlarmAuditEntry['action'];
  at: Date;
  actor: string;
  comment: string | null;
  from_state: AlarmAuditEntry['from_state'];
  to_state: AlarmAuditEntry['to_state'];
  from_level: TriggerLevel;
  to_level: TriggerLevel;
  shelved_until: Date | null;
  event_id: string | null;
  lifecycle: unknown;
  recorded_at: Date;
}

/** An audit row read back (timestamps as ISO text, the lifecycle validated). */
export function auditRowToEntry(row: AuditRow): StoredAuditEntry {
  return {
    id: String(row.id),
    alarm_id: row.alarm_id,
    point: row.point,
    condition: row.condition,
    instrument: row.instrument,
    borehole_number: row.borehole_number,
    action: row.action,
    at: iso(row.at) as string,
    by: row.actor,
    comment: row.comment,
    from_state: row.from_state,
    to_state: row.to_state,
    from_level: row.from_level,
    to_level: row.to_level,
    shelved_until: iso(row.shelved_until),
    event_id: row.event_id,
    lifecycle: readAlarmLifecycle(row.lifecycle, '$.lifecycle'),
    recorded_at: iso(row.recorded_at) as string,
  };
}

export type { AuditRow };

export function createAlarmStore(knex: Knex, schema: string): AlarmStore {
  const channel = alarmChannel(schema);
  const table = (trx: Knex.Transaction, name: string) => trx.withSchema(schema).table(name);

  function txOf(trx: Knex.Transaction): AlarmTx {
    async function lockPoint(point: string): Promise<AlarmLifecycle | undefined> {
      // An advisory lock, not a row lock: it also serialises the first raise of a new point.
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`${schema}:alarm:${point}`]);
      const row = (await table(trx, T.alarm).select('lifecycle').where({ point }).first()) as
        { lifecycle: unknown } | undefined;
      return row === undefined ? undefined : readAlarmLifecycle(row.lifecycle, '$.lifecycle');
    }

    return {
      lockPoint,

      async lockOccurrence(alarmId) {
        const current = (await table(trx, T.alarm)
          .select('point')
          .where({ alarm_id: alarmId })
          .first()) as { point: string } | undefined;
        const past =
          current ??
          ((await table(trx, T.alarmAudit).select('point').where({ alarm_id: alarmId }).first()) as
            { point: string } | undefined);
        if (past === undefined) return undefined;
        const lifecycle = await lockPoint(past.point);
        if (lifecycle === undefined) return undefined;
        return { lifecycle, current: lifecycle.alarm_id === alarmId };
      },

      async receiveEvent(event, source) {
        const inserted = (await table(trx, T.alarmEvent)
          .insert({
            event_id: event.id,
            point: alarmPointKeyOf(event),
            kind: event.kind,
            from_level: event.from_level,
            to_level: event.to_level,
            occurred_at: event.occurred_at,
            status: 'parked',
            source,
            payload: JSON.stringify(event),
          })
          .onConflict('event_id')
          .ignore()
          .returning('event_id')) as unknown[];
        return inserted.length === 1;
      },

      async settleEvent(eventId, status) {
        await table(trx, T.alarmEvent)
          .update({ status, settled_at: status === 'parked' ? null : trx.fn.now() })
          .where({ event_id: eventId });
      },

      async parkedEvents(point) {
        const rows = (await table(trx, T.alarmEvent)
          .select('payload')
          .where({ point, status: 'parked' })
          .orderBy([{ column: 'occurred_at' }, { column: 'event_id' }])) as {
          payload: AlarmEvent;
        }[];
        return rows.map((row) => row.payload);
      },

      async writeTransition(transition, options) {
        const { state, audit } = transition;
        await table(trx, T.alarm).insert(alarmRow(state, trx)).onConflict('point').merge();
        const [inserted] = (await table(trx, T.alarmAudit)
          .insert({
            alarm_id: audit.alarm_id,
            point: audit.point,
            condition: state.condition,
            instrument: state.instrument,
            borehole_number: state.borehole_number,
            action: audit.action,
            at: audit.at,
            actor: audit.by,
            comment: audit.comment,
            from_state: audit.from_state,
            to_state: audit.to_state,
            from_level: audit.from_level,
            to_level: audit.to_level,
            shelved_until: audit.shelved_until,
            event_id: audit.event_id,
            lifecycle: JSON.stringify(state),
          })
          .returning('id')) as { id: string | number }[];
        const auditId = String(inserted?.id);
        await table(trx, T.searchOutbox).insert({ audit_id: auditId });

        let notifications = 0;
        const rank = triggerLevelRank(routingLevel(audit, state));
        if (options.notify && rank > 0) {
          const payload = notificationPayload(state, audit, auditId, options.event ?? null);
          const queued = await trx.raw(
            `insert into ${qualified(schema, T.notificationOutbox)}
               (audit_id, route_id, route_name, channel, target, alarm_id, idempotency_key, payload)
             select ?, r.id, r.name, r.channel, r.target, ?, ?, ?::jsonb
             from ${qualified(schema, T.notificationRoute)} r
             where r.enabled
               and array_position(array['alert', 'alarm', 'action']::text[], r.min_level) <= ?
               and (r.conditions is null or ? = any (r.conditions))
               and (r.instrument_types is null or ? = any (r.instrument_types))
               and ? = any (r.actions)
             on conflict (audit_id, route_id) do nothing
             returning id`,
            [
              auditId,
              audit.alarm_id,
              payload.idempotency_key,
              JSON.stringify(payload),
              rank,
              state.condition,
              state.instrument,
              audit.action,
            ],
          );
          notifications = (queued as { rows: unknown[] }).rows.length;
        }
        await trx.raw('select pg_notify(?, ?)', [
          channel,
          JSON.stringify({
            alarm_id: audit.alarm_id,
            point: audit.point,
            action: audit.action,
            audit_id: auditId,
          }),
        ]);
        return { auditId, notifications };
      },
    };
  }

  return {
    schema,
    channel,
    transaction: (work) => knex.transaction((trx) => work(txOf(trx))),

    async pointsWithParkedEvents(before, limit) {
      const rows = (await knex
        .withSchema(schema)
        .table(T.alarmEvent)
        .distinct('point')
        .where({ status: 'parked' })
        .andWhere('received_at', '<', before)
        .orderBy('point')
        .limit(limit)) as { point: string }[];
      return rows.map((row) => row.point);
    },

    async pointsWithExpiredShelves(now, limit) {
      const rows = (await knex
        .withSchema(schema)
        .table(T.alarm)
        .select('point')
        .where('shelved_until', '<=', now)
        .orderBy('shelved_until')
        .limit(limit)) as { point: string }[];
      return rows.map((row) => row.point);
    },
  };
}

/**
 * An alarm lifecycle flattened to the columns people list and search alarms by: the `alarm`
 * table's and the alerts index's alarm documents'.
 */
export function alarmColumns(l: AlarmLifecycle) {
  return {
    alarm_id: l.alarm_id,
    point: l.point,
    condition: l.condition,
    instrument: l.instrument,
    borehole_number: l.borehole_number,
    direction: l.direction,
    state: l.state,
    level: l.level,
    peak_level: l.peak_level,
    raised_at: l.raised_at,
    cleared_at: l.cleared_at,
    acknowledged_by: l.acknowledged?.by ?? null,
    acknowledged_at: l.acknowledged?.at ?? null,
    shelved_until: l.shelved?.until ?? null,
    shelved_by: l.shelved?.by ?? null,
    shelved_reason: l.shelved?.reason ?? null,
  };
}

function alarmRow(l: AlarmLifecycle, trx: Knex.Transaction) {
  return {
    ...alarmColumns(l),
    last_event_id: l.last_event_id,
    last_event_at: l.last_event_at,
    lifecycle: JSON.stringify(l),
    updated_at: trx.fn.now(),
  };
}
