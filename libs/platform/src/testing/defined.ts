/**
 * The value of a lookup the test knows must succeed (an array index, a map key, a nullable
 * field), or an Error that names what is missing, so a failure says more than "cannot read
 * properties of undefined". For unit and integration tests and benchmarks alike.
 */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null)
    throw new Error(`missing ${what} (it is ${String(value)})`);
  return value;
}
