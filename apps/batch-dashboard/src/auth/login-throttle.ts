import type { Knex } from 'knex';
import { APP_TABLES } from '@geostream/sinks/names';

/**
 * Failed sign-ins counted per account and per client address in fixed windows, in the app
 * schema (so every dashboard instance shares them): past the limit, that key is locked until
 * the window ends. A correct password clears the account's count (not the address's: one
 * address guessing many accounts stays counted). Locked keys are refused before the password is
 * even checked, so a locked account costs an attacker no hashing and gives nothing away.
 */
export interface ThrottlePolicy {
  readonly windowMs: number;
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerAddress: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
};

export interface LoginThrottle {
  /** When the first locked key unlocks (ms), or undefined when sign-in may be tried. */
  lockedUntil(username: string, ip: string, nowMs: number): Promise<number | undefined>;
  recordFailure(username: string, ip: string, nowMs: number): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

const accountKey = (username: string) => `account:${username.toLowerCase().slice(0, 200)}`;
const addressKey = (ip: string) => `address:${ip}`;

export function createLoginThrottle(
  db: Knex,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): LoginThrottle {
  const table = () => db(APP_TABLES.loginThrottle);
  const at = (ms: number) => new Date(ms).toISOString();

  async function bump(key: string, limit: number, nowMs: number): Promise<void> {
    // One statement: a new window, or one more failure in the current one; locked at the limit.
    await db.raw(
      `insert into ?? as t (key, failures, window_started_at, locked_until)
       values (?, 1, ?, null)
       on conflict (key) do update set
         failures = case when t.window_started_at <= ?::timestamptz then 1 else t.failures + 1 end,
         window_started_at = case when t.window_started_at <= ?::timestamptz
                                  then excluded.window_started_at else t.window_started_at end,
         locked_until = case
           when t.window_started_at <= ?::timestamptz then null
           when t.failures + 1 >= ? then t.window_started_at + make_interval(secs => ? / 1000.0)
           else t.locked_until end`,
      [
        APP_TABLES.loginThrottle,
        key,
        at(nowMs),
        at(nowMs - policy.windowMs),
        at(nowMs - policy.windowMs),
        at(nowMs - policy.windowMs),
        limit,
        policy.windowMs,
      ],
    );
  }

  return {
    async lockedUntil(username, ip, nowMs) {
      const rows = (await table()
        .select('locked_until')
        .whereIn('key', [accountKey(username), addressKey(ip)])
        .andWhere('locked_until', '>', at(nowMs))) as { locked_until: Date }[];
      if (rows.length === 0) return undefined;
      return Math.max(...rows.map((row) => new Date(row.locked_until).getTime()));
    },
    async recordFailure(username, ip, nowMs) {
      await bump(accountKey(username), policy.maxFailuresPerAccount, nowMs);
      await bump(addressKey(ip), policy.maxFailuresPerAddress, nowMs);
    },
    async recordSuccess(username) {
      await table()
        .where({ key: accountKey(username) })
        .delete();
    },
  };
}
