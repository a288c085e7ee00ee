import { SinkOptionsError } from '../errors';
import { schemaNameProblem } from './identifiers';
import { DEFAULT_DRAWINGS_ROLE, DEFAULT_READ_ROLE, POSTGRES_IDENTIFIER } from '@geostream/platform';
import type { PostgresSinkOptions, UpsertStrategy } from './types';

export interface ResolvedPostgresOptions {
  readonly connectionString: string;
  readonly schema: string;
  readonly readRole: string;
  readonly drawingsRole: string;
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly upsertStrategy: UpsertStrategy;
  readonly maxRowsPerStatement: number;
}

const positiveInteger = (value: number) => Number.isInteger(value) && value > 0;

/** Defaults applied and every bad option named at once, when the sink is built. */
export function resolvePostgresOptions(options: PostgresSinkOptions): ResolvedPostgresOptions {
  const resolved: ResolvedPostgresOptions = {
    connectionString: options.connectionString,
    schema: options.schema ?? 'public',
    readRole: options.readRole ?? DEFAULT_READ_ROLE,
    drawingsRole: options.drawingsRole ?? DEFAULT_DRAWINGS_ROLE,
    poolMax: options.poolMax ?? 10,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    acquireTimeoutMs: options.acquireTimeoutMs ?? 10_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
    upsertStrategy: options.upsertStrategy ?? 'unnest',
    maxRowsPerStatement: options.maxRowsPerStatement ?? 5_000,
  };
  const problems: string[] = [];
  if (!/^postgres(ql)?:\/\//.test(resolved.connectionString ?? ''))
    problems.push('connectionString must be a postgres:// URL');
  const schemaProblem = schemaNameProblem(resolved.schema);
  if (schemaProblem) problems.push(schemaProblem);
  for (const [key, example] of [
    ['readRole', DEFAULT_READ_ROLE],
    ['drawingsRole', DEFAULT_DRAWINGS_ROLE],
  ] as const) {
    if (!POSTGRES_IDENTIFIER.test(resolved[key]))
      problems.push(`${key} must be a lower-case identifier (letters, digits, _), e.g. ${example}`);
  }
  if (resolved.readRole === resolved.drawingsRole)
    problems.push('readRole and drawingsRole must differ (the read role may write nothing)');
  if (!positiveInteger(resolved.poolMax) || resolved.poolMax < 2)
    problems.push('poolMax must be an integer >= 2 (migrate() holds a lock on one connection)');
  for (const key of [
    'connectTimeoutMs',
    'acquireTimeoutMs',
    'statementTimeoutMs',
    'maxRowsPerStatement',
  ] as const) {
    if (!positiveInteger(resolved[key])) problems.push(`${key} must be a positive integer`);
  }
  if (resolved.upsertStrategy !== 'unnest' && resolved.upsertStrategy !== 'values')
    problems.push("upsertStrategy must be 'unnest' or 'values'");
  if (problems.length > 0) throw new SinkOptionsError('postgres', problems);
  return resolved;
}
