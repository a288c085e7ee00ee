import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { isLocalHost } from './context';
import { run, waitUntilHealthy } from './processes';
import type { ServiceStatus, StackService } from './service';

/**
 * PostgreSQL: DATABASE_URL if given, otherwise the machine's own server on 127.0.0.1:5432.
 * The server is not ours to run, so `up` only starts the machine's cluster when it is down (and
 * remembers that it did, so `down` stops it again); it always creates the database if absent.
 */
const STARTED_MARKER = 'postgres.started-by-stack';

export const postgresService: StackService = {
  name: 'postgres',
  async up(context) {
    const url = new URL(context.settings.database.url);
    if (!(await serverReachable(url))) {
      const cluster = localCluster();
      if (context.settings.databaseUrlGiven && !isLocalHost(url.hostname)) {
        throw new Error(`PostgreSQL at ${describe(url)} (DATABASE_URL) is not reachable.`);
      }
      if (!cluster) {
        throw new Error(
          `PostgreSQL at ${describe(url)} is not reachable and no local cluster was found (pg_lsclusters). Install PostgreSQL or set DATABASE_URL.`,
        );
      }
      run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start']);
      writeFileSync(path.join(context.runDir, STARTED_MARKER), JSON.stringify(cluster) + '\n');
      await waitUntilHealthy('PostgreSQL', () => serverReachable(url), {
        timeoutMs: 60_000,
        logFile: cluster.logFile,
      });
    }
    await createDatabaseIfAbsent(url);
    return this.status(context);
  },
  async down(context) {
    const marker = path.join(context.runDir, STARTED_MARKER);
    if (!existsSync(marker)) return 'postgres: not started by this stack, left running';
    const cluster = localCluster();
    if (cluster)
      run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop']);
    rmSync(marker, { force: true });
    return 'postgres: stopped the cluster this stack had started';
  },
  async status(context) {
    const url = new URL(context.settings.database.url);
    const healthy = await databaseReachable(url);
    const ours = existsSync(path.join(context.runDir, STARTED_MARKER));
    return {
      service: 'postgres',
      owner: ours ? 'ours' : healthy ? 'external' : 'none',
      healthy,
      endpoint: describe(url),
      detail: healthy
        ? `database ${databaseName(url)} ready`
        : `database ${databaseName(url)} not reachable`,
    } satisfies ServiceStatus;
  },
};

function databaseName(url: URL): string {
  return decodeURIComponent(url.pathname.slice(1));
}

/** The URL without its password, for messages. */
function describe(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}

async function withClient<T>(url: URL, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function maintenanceUrl(url: URL): URL {
  const copy = new URL(url.toString());
  copy.pathname = '/postgres';
  return copy;
}

async function serverReachable(url: URL): Promise<boolean> {
  return withClient(
    maintenanceUrl(url),
    async (client) => (await client.query('select 1')).rowCount === 1,
  ).catch(() => false);
}

async function databaseReachable(url: URL): Promise<boolean> {
  return withClient(url, async (client) => (await client.query('select 1')).rowCount === 1).catch(
    () => false,
  );
}

async function createDatabaseIfAbsent(url: URL): Promise<void> {
  const name = databaseName(url);
  await withClient(maintenanceUrl(url), async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      // Identifiers cannot be bound as parameters; quote it the way PostgreSQL does.
      await client.query(`create database "${name.replace(/"/g, '""')}"`);
      process.stdout.write(`Created database ${name}\n`);
    }
  });
}

interface LocalCluster {
  readonly version: string;
  readonly name: string;
  readonly logFile: string;
}

function localCluster(): LocalCluster | undefined {
  if (!existsSync('/etc/postgresql')) return undefined;
  const version = readdirSync('/etc/postgresql').sort().pop();
  if (!version) return undefined;
  return { version, name: 'main', logFile: `/var/log/postgresql/postgresql-${version}-main.log` };
}
