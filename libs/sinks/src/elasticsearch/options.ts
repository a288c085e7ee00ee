import type { RetryPolicy } from '@geostream/platform';
import { SinkOptionsError } from '../errors';
import { DEFAULT_INDEX_PREFIX } from './index-template';
import type { ElasticsearchSinkOptions } from './types';

export interface ResolvedElasticsearchOptions {
  readonly node: string;
  readonly apiKey?: string;
  readonly caCertificate?: string;
  readonly indexPrefix: string;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly maxDocumentsPerBulk: number;
}

// Lower case, no characters Elasticsearch forbids in index names, and no '*' or ',' which
// would turn the template's patterns into wildcards or lists.
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]{0,199}$/;

export function resolveElasticsearchOptions(
  options: ElasticsearchSinkOptions,
): ResolvedElasticsearchOptions {
  const resolved: ResolvedElasticsearchOptions = {
    node: options.node,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.caCertificate === undefined ? {} : { caCertificate: options.caCertificate }),
    indexPrefix: options.indexPrefix ?? DEFAULT_INDEX_PREFIX,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retry: { retries: 5, initialDelayMs: 100, maxDelayMs: 5_000, factor: 2, ...options.retry },
    maxDocumentsPerBulk: options.maxDocumentsPerBulk ?? 5_000,
  };
  const problems: string[] = [];
  if (!/^https?:\/\//.test(resolved.node ?? '')) problems.push('node must be an http(s):// URL');
  if (!INDEX_PREFIX.test(resolved.indexPrefix))
    problems.push(
      `indexPrefix must match ${INDEX_PREFIX}, got ${JSON.stringify(resolved.indexPrefix)}`,
    );
  if (!Number.isInteger(resolved.requestTimeoutMs) || resolved.requestTimeoutMs <= 0)
    problems.push('requestTimeoutMs must be a positive integer');
  if (!Number.isInteger(resolved.maxDocumentsPerBulk) || resolved.maxDocumentsPerBulk <= 0)
    problems.push('maxDocumentsPerBulk must be a positive integer');
  if (!(resolved.retry.retries >= 0)) problems.push('retry.retries must be >= 0');
  if (problems.length > 0) throw new SinkOptionsError('elasticsearch', problems);
  return resolved;
}
