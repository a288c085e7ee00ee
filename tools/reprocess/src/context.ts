import { Client } from '@elastic/elasticsearch';
import type { Admin } from 'kafkajs';
import knex, { type Knex } from 'knex';
import { createKafka, createLogger } from '@geostream/platform';
import type { ReprocessConfig } from './config';
import { ensureRegistry } from './registry';

/** The clients one command uses, opened lazily and closed together. */
export interface Context {
  readonly config: ReprocessConfig;
  readonly db: Knex;
  admin(): Promise<Admin>;
  /** Undefined when ELASTICSEARCH_URL=off. */
  readonly es: Client | undefined;
  /** Where the command writes what it has to say. */
  readonly out: (line: string) => void;
  /** Redraws one status line in place (a terminal), or writes it as a line. */
  readonly status: (line: string) => void;
  /** The wall clock and a pause: injected so the commands' waits are the caller's choice. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  close(): Promise<void>;
}

export async function openContext(
  config: ReprocessConfig,
  io: { out: (line: string) => void; status?: (line: string) => void },
): Promise<Context> {
  const db = knex({
    client: 'pg',
    connection: { connectionString: config.database.url, application_name: 'reprocess' } as never,
    pool: { min: 0, max: 4 },
  });
  await ensureRegistry(db, config.readSchema);
  const kafka = createKafka(config.kafka, createLogger('reprocess', 'warn'));
  let admin: Admin | undefined;
  const e = config.elasticsearch;
  const es = e.enabled
    ? new Client({
        node: e.url,
        ...(e.apiKey === undefined ? {} : { auth: { apiKey: e.apiKey } }),
        ...(e.caCertificate === undefined ? {} : { tls: { ca: e.caCertificate } }),
      })
    : undefined;
  return {
    config,
    db,
    async admin() {
      if (admin === undefined) {
        admin = kafka.admin();
        await admin.connect();
      }
      return admin;
    },
    es,
    out: io.out,
    status: io.status ?? io.out,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async close() {
      await admin?.disconnect();
      await es?.close();
      await db.destroy();
    },
  };
}
