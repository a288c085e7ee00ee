import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { APP_TABLES, type UserRole } from '@geostream/sinks/names';

/**
 * Server-side sessions of named users. The cookie holds a random 256-bit token; the table keeps
 * only its SHA-256, the user, a CSRF token, and when it expires or was revoked. A session ends
 * at its expiry, at sign-out, when revoked (by its user or an admin), when the user is disabled
 * or removed, or when the password changes (every session of that user is revoked).
 */
export interface Session {
  readonly tokenHash: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: UserRole;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface SessionSummary {
  readonly id: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly expires_at: string;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly current: boolean;
}

export interface SessionStore {
  create(
    username: string,
    context: { ip: string; userAgent: string | undefined; nowMs: number },
  ): Promise<{ token: string; session: Session }>;
  /** The live session of a cookie's token, or undefined (unknown, expired, revoked, disabled user). */
  find(token: string, nowMs: number): Promise<Session | undefined>;
  /** Sign-out: ends the session of this token hash. */
  revoke(tokenHash: string, nowMs: number): Promise<boolean>;
  /** Ends a session by its shown id; only one of `username`'s when given. */
  revokeById(id: string, nowMs: number, username?: string): Promise<boolean>;
  revokeAllOf(username: string, nowMs: number): Promise<number>;
  listOf(
    username: string,
    currentHash: string | undefined,
    nowMs: number,
  ): Promise<SessionSummary[]>;
}

export function tokenHashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The id a session is shown and revoked by: a prefix of its hash (never the token). */
const idOf = (hash: string) => hash.slice(0, 16);

export function createSessionStore(db: Knex, maxAgeS: number): SessionStore {
  const sessions = () => db(APP_TABLES.session);
  const at = (ms: number) => new Date(ms).toISOString();
  return {
    async create(username, context) {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const tokenHash = tokenHashOf(token);
      const expiresAt = at(context.nowMs + maxAgeS * 1000);
      await sessions().insert({
        token_hash: tokenHash,
        username,
        csrf_token: csrfToken,
        created_at: at(context.nowMs),
        last_seen_at: at(context.nowMs),
        expires_at: expiresAt,
        ip: context.ip,
        user_agent: context.userAgent?.slice(0, 300) ?? null,
      });
      const session = await this.find(token, context.nowMs);
      if (session === undefined)
        throw new Error(`session of ${username} not readable after insert`);
      return { token, session };
    },

    async find(token, nowMs) {
      const tokenHash = tokenHashOf(token);
      const row = (await db({ s: APP_TABLES.session })
        .join({ u: APP_TABLES.user }, 'u.username', 's.username')
        .select(
          's.token_hash',
          's.username',
          's.csrf_token',
          's.created_at',
          's.expires_at',
          'u.role',
          'u.display_name',
        )
        .where('s.token_hash', tokenHash)
        .whereNull('s.revoked_at')
        .andWhere('s.expires_at', '>', at(nowMs))
        .andWhere('u.disabled', false)
        .first()) as Record<string, unknown> | undefined;
      if (row === undefined) return undefined;
      return {
        tokenHash,
        username: row['username'] as string,
        displayName: row['display_name'] as string,
        role: row['role'] as UserRole,
        csrfToken: row['csrf_token'] as string,
        createdAt: new Date(row['created_at'] as string).toISOString(),
        expiresAt: new Date(row['expires_at'] as string).toISOString(),
      };
    },

    async revoke(tokenHash, nowMs) {
      const n = await sessions()
        .where({ token_hash: tokenHash })
        .whereNull('revoked_at')
        .update({ revoked_at: at(nowMs) });
      return n > 0;
    },

    async revokeById(id, nowMs, username) {
      if (!/^[A-Za-z0-9_-]{16}$/.test(id)) return false;
      const n = await sessions()
        .where('token_hash', 'like', `${id.replace(/_/g, '\\_')}%`)
        .modify((q) => {
          if (username !== undefined) void q.where({ username });
        })
        .whereNull('revoked_at')
        .update({ revoked_at: at(nowMs) });
      return n > 0;
    },

    async revokeAllOf(username, nowMs) {
      return sessions()
        .where({ username })
        .whereNull('revoked_at')
        .update({ revoked_at: at(nowMs) });
    },

    async listOf(username, currentHash, nowMs) {
      const rows = (await sessions()
        .where({ username })
        .whereNull('revoked_at')
        .andWhere('expires_at', '>', at(nowMs))
        .orderBy('created_at', 'desc')) as Record<string, unknown>[];
      return rows.map((row) => ({
        id: idOf(row['token_hash'] as string),
        created_at: new Date(row['created_at'] as string).toISOString(),
        last_seen_at: new Date(row['last_seen_at'] as string).toISOString(),
        expires_at: new Date(row['expires_at'] as string).toISOString(),
        ip: (row['ip'] as string | null) ?? null,
        user_agent: (row['user_agent'] as string | null) ?? null,
        current: row['token_hash'] === currentHash,
      }));
    },
  };
}
