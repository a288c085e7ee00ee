import type { Knex } from 'knex';
import { APP_TABLES, USER_ROLES, type UserRole } from '@geostream/sinks/names';
import { BadRequestError } from '../errors';
import { hashPassword, passwordProblem } from './passwords';

/** A named user as the API shows it (never the hash). */
export interface User {
  readonly username: string;
  readonly display_name: string;
  readonly role: UserRole;
  readonly disabled: boolean;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface UserWithHash extends User {
  readonly password_hash: string;
}

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,63}$';
const USERNAME = new RegExp(USERNAME_PATTERN);

/** Roles least to most: each can do what the ones before it can. */
export function roleAtLeast(role: UserRole, needed: UserRole): boolean {
  return USER_ROLES.indexOf(role) >= USER_ROLES.indexOf(needed);
}

const iso = (value: unknown) => new Date(value as string).toISOString();
function toUser(row: Record<string, unknown>): UserWithHash {
  return {
    username: row['username'] as string,
    display_name: row['display_name'] as string,
    role: row['role'] as UserRole,
    disabled: row['disabled'] as boolean,
    created_at: iso(row['created_at']),
    updated_at: iso(row['updated_at']),
    password_hash: row['password_hash'] as string,
  };
}
const withoutHash = ({ password_hash: _h, ...user }: UserWithHash): User => user;

/** Named users in the app schema (the app role's connection). */
export interface UserStore {
  find(username: string): Promise<UserWithHash | undefined>;
  list(): Promise<User[]>;
  create(input: {
    username: string;
    displayName: string;
    role: UserRole;
    password: string;
  }): Promise<User>;
  update(
    username: string,
    change: { displayName?: string; role?: UserRole; disabled?: boolean; password?: string },
  ): Promise<User>;
  remove(username: string): Promise<void>;
  /** How many enabled admins there are (the last one may not be demoted, disabled or removed). */
  enabledAdmins(): Promise<number>;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== undefined) throw new BadRequestError('weak_password', [problem]);
}

export function createUserStore(db: Knex): UserStore {
  const users = () => db(APP_TABLES.user);
  return {
    async find(username) {
      const row = (await users().where({ username }).first()) as
        Record<string, unknown> | undefined;
      return row === undefined ? undefined : toUser(row);
    },
    async list() {
      const rows = (await users().orderBy('username')) as Record<string, unknown>[];
      return rows.map((row) => withoutHash(toUser(row)));
    },
    async create(input) {
      if (!USERNAME.test(input.username))
        throw new BadRequestError('invalid_username', [
          'a user name is 2 to 64 characters: lower-case letters, digits, . _ -',
        ]);
      checkPassword(input.password);
      const [row] = (await users()
        .insert({
          username: input.username,
          display_name: input.displayName,
          role: input.role,
          password_hash: await hashPassword(input.password),
        })
        .onConflict('username')
        .ignore()
        .returning('*')) as Record<string, unknown>[];
      if (row === undefined)
        throw new BadRequestError('user_exists', [`user ${input.username} exists already`], 409);
      return withoutHash(toUser(row));
    },
    async update(username, change) {
      if (change.password !== undefined) checkPassword(change.password);
      const [row] = (await users()
        .where({ username })
        .update({
          ...(change.displayName !== undefined && { display_name: change.displayName }),
          ...(change.role !== undefined && { role: change.role }),
          ...(change.disabled !== undefined && { disabled: change.disabled }),
          ...(change.password !== undefined && {
            password_hash: await hashPassword(change.password),
            password_changed_at: db.fn.now(),
          }),
          updated_at: db.fn.now(),
        })
        .returning('*')) as Record<string, unknown>[];
      if (row === undefined)
        throw new BadRequestError('unknown_user', [`no user ${username}`], 404);
      return withoutHash(toUser(row));
    },
    async remove(username) {
      const removed = await users().where({ username }).delete();
      if (removed === 0) throw new BadRequestError('unknown_user', [`no user ${username}`], 404);
    },
    async enabledAdmins() {
      const row = (await users()
        .where({ role: 'admin', disabled: false })
        .count({ n: '*' })
        .first()) as { n: string | number } | undefined;
      return Number(row?.n ?? 0);
    },
  };
}
