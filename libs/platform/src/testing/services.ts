import { randomUUID } from 'node:crypto';
import { readConfig } from '../config/env-reader';
import {
  databaseSettings,
  elasticsearchSettings,
  kafkaSettings,
  type DatabaseSettings,
  type ElasticsearchSettings,
  type KafkaSettings,
} from '../config/settings';

/**
 * Helpers for integration tests against the real services (started by `npm run stack -- up` or
 * `npm test`). Every test names its own topics, consumer groups, schemas and indices with
 * `uniqueName` so suites run in any order, side by side, and leave each other alone.
 */
export interface TestServices {
  readonly kafka: KafkaSettings;
  readonly database: DatabaseSettings;
  readonly elasticsearch: ElasticsearchSettings;
}

export function testServices(env: NodeJS.ProcessEnv = process.env): TestServices {
  return readConfig(env, (r) => ({
    kafka: kafkaSettings(r, 'geostream-test'),
    database: databaseSettings(r),
    elasticsearch: elasticsearchSettings(r),
  }));
}

/** A short unique name, lower case (valid as a topic, group, schema or index name). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 12)}`.toLowerCase();
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  {
    timeoutMs = 30_000,
    intervalMs = 200,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
