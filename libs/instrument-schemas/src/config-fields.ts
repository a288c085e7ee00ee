import type { Problem } from './problems';
import {
  absence,
  describeValue,
  isPlainObject,
  joinPath,
  problem,
} from './validation/field-problems';

/** Reports every member of `value` not in `allowed` as unknown_field. */
export function unknownFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  problems: Problem[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const at = joinPath(path, key);
      problems.push(problem('unknown_field', at, `${at} is not a known field`));
    }
  }
}

/** True when `value` is an object; otherwise reports why not. */
export function objectAt(
  value: unknown,
  path: string,
  problems: Problem[],
): value is Record<string, unknown> {
  if (isPlainObject(value)) return true;
  problems.push(
    absence(value, path) ??
      problem('wrong_type', path, `${path} must be an object, got ${describeValue(value)}`),
  );
  return false;
}
