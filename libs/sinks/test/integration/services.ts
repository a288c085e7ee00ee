import { Client } from '@elastic/elasticsearch';
import { createKafka, createLogger } from '@geostream/platform';
import { testServices } from '@geostream/platform/testing';
import knexFactory, { type Knex } from 'knex';

/** The shared local services, as every integration test of this lib reaches them. */
export const services = testServices();

export function elasticsearchUrl(): string {
  if (!services.elasticsearch.enabled) throw new Error('these tests need Elasticsearch');
  return services.elasticsearch.url;
}

/** host and port of a URL, for startTcpFaultProxy. */
export function hostAndPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

/** The same URL pointing at another address (a fault proxy). */
export function viaAddress(url: string, address: string): string {
  const parsed = new URL(url);
  const [host, port] = address.split(':');
  parsed.hostname = host ?? '127.0.0.1';
  parsed.port = port ?? '';
  return parsed.toString();
}

/** A knex of the test's own, to look at what the sink wrote and to drop the test's schema. */
export function inspector(): Knex {
  return knexFactory({ client: 'pg', connection: services.database.url, pool: { min: 0, max: 2 } });
}

export function elasticsearchInspector(): Client {
  return new Client({ node: elasticsearchUrl() });
}

export function testKafka() {
  return createKafka(services.kafka, createLogger('sinks-test', 'silent'));
}
