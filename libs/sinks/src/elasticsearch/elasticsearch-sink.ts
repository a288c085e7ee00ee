import type { ElasticsearchSink, ElasticsearchSinkOptions } from './types';

/** Elasticsearch sink: one index per type from an explicit template, bulk with _id = window id. */
export function createElasticsearchSink(_options: ElasticsearchSinkOptions): ElasticsearchSink {
  throw new Error('createElasticsearchSink: being implemented (issue 6)');
}
