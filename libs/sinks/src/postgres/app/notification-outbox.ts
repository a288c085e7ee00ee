import type { Knex } from 'knex';
import { qualified } from '../identifiers';
import { APP_TABLES as T, type NotificationChannel } from './app-tables';
import type { NotificationPayload } from '@geostream/alerting';

/**
 * The notification outbox: rows are written in the transaction of their transition (so a crash
 * loses none and a replayed event, deduplicated by id, adds none), then sent by the
 * alarm-manager's notifier. A claim is a lease: the row is the claimer's until `claimed_until`;
 * a sender that dies mid-send leaves it to be claimed again when the lease ends, which is the
 * one window in which a receiver can get a transition twice (same idempotency key).
 */
export interface ClaimedNotification {
  readonly id: string;
  readonly auditId: string;
  readonly routeId: string;
  readonly routeName: string;
  readonly channel: NotificationChannel;
  readonly target: string;
  /** The route's webhook secret now; null if the route was deleted since. */
  readonly secret: string | null;
  /** False when the route was deleted or disabled since the row was queued. */
  readonly routeEnabled: boolean;
  readonly alarmId: string;
  readonly idempotencyKey: string;
  readonly payload: NotificationPayload;
  /** Attempts including this one. */
  readonly attempt: number;
}

export type NotificationOutcome =
  | { readonly sent: true }
  | {
      readonly sent: false;
      readonly error: string;
      /** When to try again; null: never (refused for good, or out of attempts). */
      readonly retryAt: Date | null;
    };

export interface NotificationOutbox {
  /** Claims up to `limit` due rows for `leaseMs`, oldest first; counts the attempt. */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedNotification[]>;
  settle(id: string, outcome: NotificationOutcome): Promise<void>;
}

interface ClaimedRow {
  id: string;
  audit_id: string;
  route_id: string;
  route_name: string;
  channel: NotificationChannel;
  target: string;
  secret: string | null;
  enabled: boolean | null;
  alarm_id: string;
  idempotency_key: string;
  payload: NotificationPayload;
  attempts: number;
}

export function createNotificationOutbox(knex: Knex, schema: string): NotificationOutbox {
  const outbox = qualified(schema, T.notificationOutbox);
  const routes = qualified(schema, T.notificationRoute);
  return {
    async claimDue(limit, leaseMs) {
      const result = (await knex.raw(
        `with due as (
           select id from ${outbox}
           where status in ('pending', 'failing') and next_attempt_at <= now()
             and (claimed_until is null or claimed_until < now())
           order by id
           limit ?
           for update skip locked
         ), claimed as (
           update ${outbox} o
           set claimed_until = now() + make_interval(secs => ?::double precision / 1000),
               attempts = o.attempts + 1, last_attempt_at = now()
           from due where o.id = due.id
           returning o.*
         )
         select c.id, c.audit_id, c.route_id, c.route_name, c.channel, c.target, r.secret,
                r.enabled, c.alarm_id, c.idempotency_key, c.payload, c.attempts
         from claimed c left join ${routes} r on r.id = c.route_id
         order by c.id`,
        [limit, leaseMs],
      )) as { rows: ClaimedRow[] };
      return result.rows.map((row) => ({
        id: String(row.id),
        auditId: String(row.audit_id),
        routeId: String(row.route_id),
        routeName: row.route_name,
        channel: row.channel,
        target: row.target,
        secret: row.secret,
        routeEnabled: row.enabled === true,
        alarmId: row.alarm_id,
        idempotencyKey: row.idempotency_key,
        payload: row.payload,
        attempt: row.attempts,
      }));
    },

    async settle(id, outcome) {
      const update = outcome.sent
        ? { status: 'sent', sent_at: knex.fn.now(), last_error: null, claimed_until: null }
        : {
            status: outcome.retryAt === null ? 'failed' : 'failing',
            last_error: outcome.error.slice(0, 2_000),
            next_attempt_at: outcome.retryAt ?? knex.fn.now(),
            claimed_until: null,
          };
      await knex.withSchema(schema).table(T.notificationOutbox).update(update).where({ id });
    },
  };
}
