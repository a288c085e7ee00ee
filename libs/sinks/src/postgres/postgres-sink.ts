import type { PostgresSink, PostgresSinkOptions } from './types';

/** PostgreSQL sink: versioned migrations, one transaction per batch of multi-row upserts. */
export function createPostgresSink(_options: PostgresSinkOptions): PostgresSink {
  throw new Error('createPostgresSink: being implemented (issue 6)');
}
