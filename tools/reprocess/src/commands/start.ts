import type { Context } from '../context';
import { ReprocessError } from '../errors';
import { NAME_VARIABLES, VERSION_NAME, versionEnvironment, versionNames } from '../names';
import {
  PROCESSOR_STOP_TIMEOUT_MS,
  freePort,
  isAlive,
  startProcessor,
  stopProcessor,
} from '../processor-child';
import { findVersion, forgetProcess, insertVersion } from '../registry';
import { watch } from './progress';
import { requireVersion, schemaExists } from './shared';

/** `VAR=value` pairs of `--set`, checked: a name the tool owns cannot be overridden. */
export function parseSettings(pairs: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(pair);
    if (!match)
      throw new ReprocessError(
        'REPROCESS_BAD_ARGUMENTS',
        `--set ${JSON.stringify(pair)}: expected VARIABLE=value, e.g. WINDOW_SIZE_MS=20000`,
      );
    const [, name, value] = match as unknown as [string, string, string];
    if ((NAME_VARIABLES as readonly string[]).includes(name))
      throw new ReprocessError(
        'REPROCESS_SETTING_REFUSED',
        `--set ${name}: the version's outputs are named by the tool (${NAME_VARIABLES.join(', ')})`,
      );
    settings[name] = value;
  }
  return settings;
}

export interface StartOptions {
  readonly settings: readonly string[];
  /** Follow progress until caught up (the default on the command line). */
  readonly follow: boolean;
  readonly env: Record<string, string | undefined>;
}

/** Starts the stream-processor as a new version: its own group, schema, indices and topics. */
export async function start(ctx: Context, name: string, options: StartOptions): Promise<void> {
  if (!VERSION_NAME.test(name))
    throw new ReprocessError(
      'REPROCESS_BAD_ARGUMENTS',
      `version ${JSON.stringify(name)}: must match ${VERSION_NAME} (e.g. v2)`,
    );
  const settings = parseSettings(options.settings);
  const { config } = ctx;
  if ((await findVersion(ctx.db, config.readSchema, name)) !== undefined)
    throw new ReprocessError(
      'REPROCESS_VERSION_EXISTS',
      `version ${name} exists already: pick a new name, or \`reprocess cleanup ${name} --yes\` first`,
    );
  const names = versionNames(config.base, name);
  if (await schemaExists(ctx, names.pgSchema))
    throw new ReprocessError(
      'REPROCESS_NAME_TAKEN',
      `PostgreSQL schema ${names.pgSchema} exists already (not a registered version): pick another name`,
    );
  const taken = ctx.es
    ? await ctx.es.indices.resolveIndex({ name: `${names.esIndexPrefix}-*` })
    : undefined;
  if (taken !== undefined && taken.indices.length + taken.aliases.length > 0)
    throw new ReprocessError(
      'REPROCESS_NAME_TAKEN',
      `Elasticsearch indices ${names.esIndexPrefix}-* exist already (not a registered version): pick another name`,
    );
  const port = settings['PORT'] !== undefined ? Number(settings['PORT']) : await freePort();
  const started = await startProcessor({
    bundle: config.processorBundle,
    env: {
      ...options.env,
      ...settings,
      ...versionEnvironment(names, config.base.topicPrefix),
    },
    port,
    host: settings['HOST'] ?? options.env['HOST'] ?? '127.0.0.1',
    logDir: config.logDir,
    version: name,
  });
  try {
    await insertVersion(ctx.db, config.readSchema, {
      ...names,
      topicPrefix: config.base.topicPrefix,
      settings,
      pid: started.pid,
      port: started.port,
      logFile: started.logFile,
    });
  } catch (error) {
    // Unregistered, nothing would ever stop it: it goes, and the start fails as a whole.
    await stopProcessor(started.pid);
    throw error;
  }
  ctx.out(
    `started ${name} (pid ${started.pid}, http://127.0.0.1:${started.port}/health, log ${started.logFile})`,
  );
  ctx.out(
    `  writes: group ${names.consumerGroup}, schema ${names.pgSchema}, indices ${names.esIndexPrefix}-*,` +
      ` topics *${names.topicSuffix}, ${names.dlqTopic}, ${names.alertsTopic}`,
  );
  if (options.follow) {
    await watch(ctx, { ...names }, true);
    ctx.out(`${name} has caught up: next, \`reprocess verify ${name}\``);
  }
}

/**
 * Stops the processor `start` ran for a version (SIGTERM: it writes its outputs and checkpoint
 * and leaves the group), once the processor deployment runs the version with the same
 * environment: the deployment's instances take its partitions over from the checkpoints.
 */
export async function stop(ctx: Context, name: string): Promise<void> {
  const row = await requireVersion(ctx, name);
  if (row.pid === null || !isAlive(row.pid)) ctx.out(`${name}: no processor of the tool running`);
  else {
    const how = await stopProcessor(row.pid);
    ctx.out(
      how === 'stopped'
        ? `${name}: stopped its processor (pid ${row.pid})`
        : `${name}: its processor (pid ${row.pid}) did not stop within ${PROCESSOR_STOP_TIMEOUT_MS / 1000} s and was killed (a replay from its checkpoint redoes what it had not written)`,
    );
  }
  await forgetProcess(ctx.db, ctx.config.readSchema, name);
}
