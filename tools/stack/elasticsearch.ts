import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { isLocalHost, type StackContext } from './context';
import { javaHomeFor } from './java';
import { readManaged, run, startDetached, stopIfOurs, waitUntilHealthy } from './processes';
import type { ServiceStatus, StackService } from './service';

/**
 * Elasticsearch from the official integ-test-zip on Maven Central: one node, security off,
 * bound to 127.0.0.1, a small heap. It refuses to run as root, so as root it runs as the
 * unprivileged system user `geostream` (created if absent), with its config and data in the
 * cache, which that user can reach; its console output goes to .stack/logs/elasticsearch.log.
 */
const RUN_AS = 'geostream';

export const elasticsearchService: StackService = {
  name: 'elasticsearch',
  async up(context) {
    const settings = context.settings.elasticsearch;
    if (!settings.enabled) return offStatus();
    const url = new URL(settings.url);
    const logFile = path.join(context.logsDir, 'elasticsearch.log');
    if (readManaged(context.runDir, 'elasticsearch')) return this.status(context);
    if (await clusterHealthy(url))
      return status(context, 'external', true, 'already running, not started by this stack');
    if (!isLocalHost(url.hostname))
      throw new Error(
        `Elasticsearch at ${url.origin} is not reachable, and it is not on this machine to start.`,
      );
    const home = fetchDistribution(context);
    const user = process.getuid?.() === 0 ? ensureUnprivilegedUser() : undefined;
    const nodeDir = writeNodeConfig(context, home, Number(url.port || 9200), user);
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: nodeDir,
      ES_JAVA_HOME: javaHomeFor(context),
      ES_PATH_CONF: path.join(nodeDir, 'config'),
      ES_TMPDIR: path.join(nodeDir, 'tmp'),
      ES_JAVA_OPTS: `-Xms${context.settings.elasticsearchHeap} -Xmx${context.settings.elasticsearchHeap}`,
    };
    const managed = startDetached(
      context.runDir,
      'elasticsearch',
      nodeDir,
      path.join(home, 'bin/elasticsearch'),
      // Repeats path.data on the command line so every process of the node (the launcher script,
      // the CLI JVM, the server JVM) carries the node directory as its marker.
      ['-E', `path.data=${path.join(nodeDir, 'data')}`],
      logFile,
      { cwd: nodeDir, env, ...(user && { uid: user.uid, gid: user.gid }) },
    );
    await waitUntilHealthy('Elasticsearch', () => clusterHealthy(url), {
      timeoutMs: 180_000,
      logFile,
      isAlive: () => readManaged(context.runDir, managed.name) !== undefined,
    });
    return this.status(context);
  },
  down(context) {
    return stopIfOurs(context.runDir, 'elasticsearch');
  },
  async status(context) {
    if (!context.settings.elasticsearch.enabled) return offStatus();
    const ours = readManaged(context.runDir, 'elasticsearch') !== undefined;
    const healthy = await clusterHealthy(new URL(context.settings.elasticsearch.url));
    return status(
      context,
      ours ? 'ours' : healthy ? 'external' : 'none',
      healthy,
      ours ? 'started by this stack' : '',
    );
  },
};

function offStatus(): ServiceStatus {
  return {
    service: 'elasticsearch',
    owner: 'off',
    healthy: true,
    endpoint: 'off',
    detail: 'disabled by ELASTICSEARCH_URL=off',
  };
}

function status(
  context: StackContext,
  owner: ServiceStatus['owner'],
  healthy: boolean,
  detail: string,
): ServiceStatus {
  const settings = context.settings.elasticsearch;
  return {
    service: 'elasticsearch',
    owner,
    healthy,
    endpoint: settings.enabled ? new URL(settings.url).origin : 'off',
    detail: `Elasticsearch ${context.settings.elasticsearchVersion}${detail ? `, ${detail}` : ''}`,
    logFile: path.join(context.logsDir, 'elasticsearch.log'),
  };
}

async function clusterHealthy(url: URL): Promise<boolean> {
  try {
    const response = await fetch(new URL('/_cluster/health', url), {
      signal: AbortSignal.timeout(3_000),
    });
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: string };
    return body.status === 'green' || body.status === 'yellow';
  } catch {
    return false;
  }
}

/** Downloads the distribution with Maven and unpacks it once into the cache, readable by all. */
function fetchDistribution(context: StackContext): string {
  const version = context.settings.elasticsearchVersion;
  const home = path.join(context.cacheDir, `elasticsearch-${version}`);
  if (existsSync(path.join(home, '.complete'))) return home;
  const downloads = path.join(context.cacheDir, 'downloads');
  process.stdout.write(
    `Fetching Elasticsearch ${version} (integ-test-zip) from Maven Central ...\n`,
  );
  run('mvn', [
    '-q',
    '-B',
    '-f',
    path.join(context.repoRoot, 'tools/stack/kafka/pom.xml'),
    'dependency:copy',
    `-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`,
    `-DoutputDirectory=${downloads}`,
  ]);
  const zip = path.join(downloads, `elasticsearch-${version}.zip`);
  const unpackDir = path.join(context.cacheDir, `.unpack-${version}`);
  rmSync(unpackDir, { recursive: true, force: true });
  mkdirSync(unpackDir, { recursive: true });
  if (spawnSync('unzip', ['-q', zip, '-d', unpackDir], { stdio: 'inherit' }).status !== 0) {
    run('jar', ['xf', zip], { cwd: unpackDir });
  }
  rmSync(home, { recursive: true, force: true });
  cpSync(path.join(unpackDir, `elasticsearch-${version}`), home, { recursive: true });
  rmSync(unpackDir, { recursive: true, force: true });
  rmSync(zip, { force: true });
  for (const script of readdirSync(path.join(home, 'bin')))
    chmodSync(path.join(home, 'bin', script), 0o755);
  makeWorldReadable(context.cacheDir);
  makeWorldReadable(home);
  writeFileSync(path.join(home, '.complete'), `${version}\n`);
  return home;
}

function makeWorldReadable(dir: string): void {
  run('chmod', ['-R', 'a+rX', dir]);
}

interface UnixUser {
  readonly uid: number;
  readonly gid: number;
}

function ensureUnprivilegedUser(): UnixUser {
  const lookup = (): UnixUser | undefined => {
    const result = spawnSync('id', ['-u', RUN_AS], { encoding: 'utf8' });
    if (result.status !== 0) return undefined;
    const gid = spawnSync('id', ['-g', RUN_AS], { encoding: 'utf8' }).stdout.trim();
    return { uid: Number(result.stdout.trim()), gid: Number(gid) };
  };
  const existing = lookup();
  if (existing) return existing;
  run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
  const created = lookup();
  if (!created) throw new Error(`could not create the system user ${RUN_AS} to run Elasticsearch`);
  return created;
}

/** The node's own directory (config, data, tmp), owned by the user that runs it. */
function writeNodeConfig(
  context: StackContext,
  home: string,
  port: number,
  user: UnixUser | undefined,
): string {
  const nodeDir = path.join(context.checkoutStateDir, 'elasticsearch');
  const configDir = path.join(nodeDir, 'config');
  for (const dir of [
    configDir,
    path.join(nodeDir, 'data'),
    path.join(nodeDir, 'logs'),
    path.join(nodeDir, 'tmp'),
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  cpSync(path.join(home, 'config'), configDir, {
    recursive: true,
    force: false,
    errorOnExist: false,
  });
  writeFileSync(
    path.join(configDir, 'elasticsearch.yml'),
    [
      '# Written by `npm run stack -- up`; edits are overwritten.',
      'cluster.name: geostream-local',
      'node.name: geostream-local',
      'network.host: 127.0.0.1',
      `http.port: ${port}`,
      `transport.port: ${port + 100}`,
      'discovery.type: single-node',
      `path.data: ${path.join(nodeDir, 'data')}`,
      `path.logs: ${path.join(nodeDir, 'logs')}`,
      'xpack.security.enabled: false',
      // A developer machine or CI runner may be fuller than a real cluster would allow.
      'cluster.routing.allocation.disk.threshold_enabled: false',
      // Tests delete their own indices by name patterns.
      'action.destructive_requires_name: false',
      '',
    ].join('\n'),
  );
  // Console logging only: the stack captures it in .stack/logs/elasticsearch.log.
  writeFileSync(
    path.join(configDir, 'log4j2.properties'),
    [
      'status = error',
      'appender.console.type = Console',
      'appender.console.name = console',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] [%node_name]%marker %m%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.console.ref = console',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(configDir, 'jvm.options'),
    [
      '-XX:+UseG1GC',
      '-Djava.io.tmpdir=${ES_TMPDIR}',
      '20-:--add-modules=jdk.incubator.vector',
      '-XX:+ExitOnOutOfMemoryError',
      `-XX:ErrorFile=${path.join(nodeDir, 'logs', 'hs_err_pid%p.log')}`,
      '-Xlog:disable',
      '',
    ].join('\n'),
  );
  if (user) run('chown', ['-R', `${user.uid}:${user.gid}`, nodeDir]);
  return nodeDir;
}
