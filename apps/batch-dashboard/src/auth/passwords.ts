import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords are hashed with argon2id (@node-rs/argon2: the Rust argon2 crate, prebuilt for each
 * platform and shipped through the npm registry, no install script), at OWASP's minimum:
 * 19 MiB, 2 passes, 1 lane (the library's defaults, written out so they cannot drift). The
 * parameters are in each hash, so raising them later still verifies the old ones.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 /* argon2id */ };

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Why a new password is refused, or undefined. Length is what NIST 800-63B asks for. */
export function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH)
    return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verified against when the user does not exist, so an unknown name costs the same time as a
// wrong password and does not tell which names exist.
let dummy: Promise<string> | undefined;

/** True when `password` matches `hashed`; with no hash (no such user), false, as slowly. */
export async function verifyPassword(
  hashed: string | undefined,
  password: string,
): Promise<boolean> {
  if (hashed === undefined) {
    dummy ??= hashPassword('geostream-no-such-user');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(hashed, password).catch(() => false);
}
