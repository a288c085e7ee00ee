import { assertAliasNamesFree, moveAliases } from './aliases';
import type { Context } from './context';
import { ReprocessError } from './errors';
import { compareVersions, logBounds, versionCheckpoints } from './facts';
import {
  NAME_VARIABLES,
  VERSION_NAME,
  indicesOf,
  versionEnvironment,
  versionNames,
  versionTopics,
  type VersionNames,
} from './names';
import { freePort, isAlive, startProcessor, stopProcessor } from './processor-child';
import { progressBar, progressOf, rateOf, statusLine, type Progress } from './progress';
import { switchReadSchema } from './read-schema';
import {
  deleteVersion,
  findVersion,
  forgetProcess,
  insertVersion,
  listVersions,
  readPointer,
  recordVerification,
  type VersionRow,
} from './registry';
import { quoted } from './sql';
import { formatReport, judge, type VerificationReport } from './verify-report';

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

async function requireVersion(ctx: Context, name: string): Promise<VersionRow> {
  const row = await findVersion(ctx.db, ctx.config.readSchema, name);
  if (row === undefined)
    throw new ReprocessError(
      'REPROCESS_VERSION_UNKNOWN',
      `no version ${JSON.stringify(name)} (see \`reprocess list\`)`,
    );
  return row;
}

async function schemaExists(ctx: Context, schema: string): Promise<boolean> {
  const result = await ctx.db.raw<{ rows: unknown[] }>(
    'select 1 from pg_namespace where nspname = ?',
    [schema],
  );
  return result.rows.length > 0;
}

/** How far a version has read the raw log (from its PostgreSQL checkpoints). */
export async function progressOfVersion(
  ctx: Context,
  version: Pick<VersionNames, 'pgSchema' | 'consumerGroup'>,
): Promise<{ progress: Progress; readings: number }> {
  const bounds = await logBounds(await ctx.admin(), ctx.config.rawTopic);
  const { checkpoints, accounting } = await versionCheckpoints(
    ctx.db,
    version,
    ctx.config.rawTopic,
  );
  return { progress: progressOf(bounds, checkpoints), readings: accounting.readings };
}

/**
 * Samples progress every `intervalMs` and shows lag, readings/s, ETA and a bar, until caught up
 * (or once, without `follow`).
 */
async function watch(
  ctx: Context,
  version: VersionRow | (VersionNames & { version: string }),
  follow: boolean,
  intervalMs = 1_000,
): Promise<Progress> {
  let before = { atMs: ctx.now(), ...(await progressOfVersion(ctx, version)) };
  for (;;) {
    await ctx.sleep(intervalMs);
    const now = await progressOfVersion(ctx, version);
    const after = { atMs: ctx.now(), ...now };
    const rate = rateOf(
      { atMs: before.atMs, readings: before.readings, done: before.progress.done },
      { atMs: after.atMs, readings: after.readings, done: after.progress.done },
      now.progress.lag,
    );
    ctx.status(`${progressBar(now.progress)} ${statusLine(version.version, now.progress, rate)}`);
    if (!follow || now.progress.lag === 0) return now.progress;
    before = after;
  }
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
  await insertVersion(ctx.db, config.readSchema, {
    ...names,
    topicPrefix: config.base.topicPrefix,
    settings,
    pid: started.pid,
    port: started.port,
    logFile: started.logFile,
  });
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

export async function status(ctx: Context, name: string, follow: boolean): Promise<Progress> {
  const row = await requireVersion(ctx, name);
  const progress = await watch(ctx, row, follow);
  if (row.pid !== null && !isAlive(row.pid))
    ctx.out(`  its processor (pid ${row.pid}) is not running here`);
  return progress;
}

/**
 * Checks a caught-up version before anyone reads it: the accounting identity over its
 * checkpoints, its coverage against the current version's, and what changed.
 */
export async function verify(ctx: Context, name: string): Promise<VerificationReport> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const { progress } = await progressOfVersion(ctx, row);
  if (progress.lag > 0)
    throw new ReprocessError(
      'REPROCESS_NOT_CAUGHT_UP',
      `${name} has not caught up (lag ${progress.lag} records): verify once \`reprocess status ${name}\` says caught up`,
    );
  const { accounting } = await versionCheckpoints(ctx.db, row, config.rawTopic);
  const pointer = await readPointer(ctx.db, config.readSchema);
  const current =
    pointer.current !== null && pointer.current !== name
      ? await findVersion(ctx.db, config.readSchema, pointer.current)
      : undefined;
  const comparison =
    current === undefined
      ? null
      : await compareVersions(
          ctx.db,
          { version: current.version, pgSchema: current.pgSchema },
          row,
        );
  const report = judge(name, accounting, comparison);
  await recordVerification(ctx.db, config.readSchema, name, report.passed, report);
  ctx.out(formatReport(report));
  return report;
}

/** Moves every reader to a version: Elasticsearch aliases in one call, the views in one transaction. */
async function pointReadersAt(
  ctx: Context,
  row: VersionRow,
  previous: string | null,
): Promise<void> {
  const { config } = ctx;
  const old =
    previous === null ? undefined : await findVersion(ctx.db, config.readSchema, previous);
  if (ctx.es) {
    await assertAliasNamesFree(ctx.es, config.readIndexPrefix);
    await moveAliases(ctx.es, config.readIndexPrefix, row.esIndexPrefix);
  }
  try {
    await switchReadSchema(ctx.db, {
      readSchema: config.readSchema,
      version: row.version,
      versionSchema: row.pgSchema,
      previous,
      roles: { readRole: config.readRole, drawingsRole: config.drawingsRole },
    });
  } catch (error) {
    // The views did not move: put the searches back where they were.
    if (ctx.es && old !== undefined)
      await moveAliases(ctx.es, config.readIndexPrefix, old.esIndexPrefix).catch(() => undefined);
    throw error;
  }
}

export async function switchTo(ctx: Context, name: string): Promise<void> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.current === name)
    throw new ReprocessError('REPROCESS_IS_CURRENT', `${name} is the current version already`);
  const { progress } = await progressOfVersion(ctx, row);
  if (progress.lag > 0)
    throw new ReprocessError(
      'REPROCESS_NOT_CAUGHT_UP',
      `${name} has not caught up (lag ${progress.lag} records): nothing switched`,
    );
  if (row.state !== 'verified')
    throw new ReprocessError(
      'REPROCESS_NOT_VERIFIED',
      `${name} has not passed verification${
        row.verification === null ? ' (run `reprocess verify ' + name + '`)' : ''
      }: nothing switched${problemsOf(row.verification)}`,
    );
  await pointReadersAt(ctx, row, pointer.current);
  ctx.out(
    `switched readers to ${name}: views ${config.readSchema}.* -> ${row.pgSchema}, aliases ` +
      `${config.readIndexPrefix}-* -> ${row.esIndexPrefix}-*, per-type topics *${row.topicSuffix}` +
      (pointer.current === null ? '' : ` (\`reprocess rollback\` returns to ${pointer.current})`),
  );
  ctx.out(`  the processor deployment's environment for ${name}:`);
  for (const [variable, value] of Object.entries(deploymentEnvironment(row)))
    ctx.out(`    ${variable}=${value}`);
}

function problemsOf(verification: unknown): string {
  const problems = (verification as { problems?: string[] } | null)?.problems ?? [];
  return problems.map((p) => `\n  problem: ${p}`).join('');
}

/** What the processor deployment sets to run a version (its names and its settings). */
export function deploymentEnvironment(row: VersionRow): Record<string, string> {
  return { ...row.settings, ...versionEnvironment(row, row.topicPrefix) };
}

/** Back to the version readers saw before the last switch, in one step each. */
export async function rollback(ctx: Context): Promise<void> {
  const { config } = ctx;
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.previous === null)
    throw new ReprocessError('REPROCESS_NO_PREVIOUS', 'no previous version to roll back to');
  const row = await requireVersion(ctx, pointer.previous);
  await pointReadersAt(ctx, row, pointer.current);
  ctx.out(
    `rolled readers back to ${row.version} (\`reprocess rollback\` again returns to ${pointer.current})`,
  );
}

/**
 * Deletes everything a version wrote (its processor stopped first): PostgreSQL schema,
 * Elasticsearch indices, topics, consumer group, registry row. Never the current version.
 */
export async function cleanup(ctx: Context, name: string, confirmed: boolean): Promise<void> {
  const { config } = ctx;
  const row = await requireVersion(ctx, name);
  const pointer = await readPointer(ctx.db, config.readSchema);
  if (pointer.current === name)
    throw new ReprocessError(
      'REPROCESS_IS_CURRENT',
      `${name} is the current version: switch readers to another version first`,
    );
  if (row.adopted)
    throw new ReprocessError(
      'REPROCESS_IS_ADOPTED',
      `${name} is the adopted live deployment (schema ${row.pgSchema}, indices ${row.esIndexPrefix}-*,` +
        ` group ${row.consumerGroup}): the tool never deletes its outputs; stop it and delete them by hand`,
    );
  const topics = [...versionTopics(row, row.topicPrefix), row.dlqTopic, row.alertsTopic];
  const indices = indicesOf(row.esIndexPrefix).map((i) => i.name);
  const what =
    `schema ${row.pgSchema}, indices ${indices.join(', ')}, topics ${topics.join(', ')}, ` +
    `consumer group ${row.consumerGroup}`;
  if (!confirmed)
    throw new ReprocessError(
      'REPROCESS_CONFIRMATION_REQUIRED',
      `cleanup deletes ${what}${pointer.previous === name ? ' (rollback will no longer be possible)' : ''}: add --yes to confirm`,
    );
  if (row.pid !== null) await stopProcessor(row.pid);
  const admin = await ctx.admin();
  await admin.deleteGroups([row.consumerGroup]).catch((error: unknown) => {
    // A group that never committed offsets does not exist: nothing to delete.
    const groups = (error as { groups?: { error?: { type?: string } }[] }).groups ?? [];
    const absent = groups.length > 0 && groups.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND');
    if (!absent) throw error;
  });
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length > 0) await admin.deleteTopics({ topics: present });
  if (ctx.es) await ctx.es.indices.delete({ index: indices, ignore_unavailable: true });
  await ctx.db.raw(`drop schema if exists ${quoted(row.pgSchema)} cascade`);
  await deleteVersion(ctx.db, config.readSchema, name);
  ctx.out(`cleaned up ${name}: deleted ${what}`);
}

/**
 * Registers the running deployment (its outputs named by this environment, as it writes them
 * today) as a version, so the first switch can point readers at it and a rollback can return to
 * it. It is taken as verified (it is what readers see now); cleanup never deletes its outputs.
 */
export async function adopt(ctx: Context, name: string): Promise<void> {
  if (!VERSION_NAME.test(name))
    throw new ReprocessError(
      'REPROCESS_BAD_ARGUMENTS',
      `version ${JSON.stringify(name)}: must match ${VERSION_NAME} (e.g. v1)`,
    );
  const { config } = ctx;
  const versions = await listVersions(ctx.db, config.readSchema);
  const base = config.base;
  const clash = versions.find(
    (v) =>
      v.version === name ||
      v.consumerGroup === base.consumerGroup ||
      v.pgSchema === base.pgSchema ||
      v.esIndexPrefix === base.esIndexPrefix,
  );
  if (clash !== undefined)
    throw new ReprocessError(
      'REPROCESS_VERSION_EXISTS',
      clash.version === name
        ? `version ${name} exists already`
        : `the live deployment's outputs are registered already, as ${clash.version}`,
    );
  const { progress } = await progressOfVersion(ctx, base);
  await insertVersion(
    ctx.db,
    config.readSchema,
    {
      version: name,
      consumerGroup: base.consumerGroup,
      pgSchema: base.pgSchema,
      esIndexPrefix: base.esIndexPrefix,
      topicPrefix: base.topicPrefix,
      topicSuffix: base.topicSuffix,
      dlqTopic: base.dlqTopic,
      alertsTopic: base.alertsTopic,
      settings: {},
      pid: null,
      port: null,
      logFile: null,
    },
    { verification: { adopted: true, lagAtAdoption: progress.lag } },
  );
  ctx.out(
    `adopted the live deployment as ${name} (group ${base.consumerGroup}, schema ${base.pgSchema},` +
      ` indices ${base.esIndexPrefix}-*, lag ${progress.lag}): \`reprocess switch ${name}\` points readers at it`,
  );
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
    await stopProcessor(row.pid);
    ctx.out(`${name}: stopped its processor (pid ${row.pid})`);
  }
  await forgetProcess(ctx.db, ctx.config.readSchema, name);
}

export async function list(ctx: Context): Promise<void> {
  const { config } = ctx;
  const pointer = await readPointer(ctx.db, config.readSchema);
  const rows = await listVersions(ctx.db, config.readSchema);
  if (rows.length === 0) ctx.out('no versions yet: `reprocess start <version>`');
  for (const row of rows) {
    const mark =
      row.version === pointer.current
        ? 'current'
        : row.version === pointer.previous
          ? 'previous'
          : '';
    const running = row.pid === null ? '' : isAlive(row.pid) ? ` pid ${row.pid}` : ' (stopped)';
    ctx.out(
      `${row.version.padEnd(12)} ${mark.padEnd(8)} ${row.state.padEnd(8)} schema ${row.pgSchema},` +
        ` indices ${row.esIndexPrefix}-*, topics *${row.topicSuffix}${running}` +
        (Object.keys(row.settings).length > 0
          ? `, settings ${Object.entries(row.settings)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`
          : ''),
    );
  }
}
