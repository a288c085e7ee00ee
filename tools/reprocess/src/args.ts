import { ReprocessError } from './errors';

/** Pure: the command line, parsed and checked. */
export type Command =
  | { readonly name: 'help' }
  | {
      readonly name: 'start';
      readonly version: string;
      readonly settings: string[];
      readonly follow: boolean;
    }
  | { readonly name: 'status'; readonly version: string; readonly follow: boolean }
  | { readonly name: 'verify'; readonly version: string }
  | { readonly name: 'switch'; readonly version: string }
  | { readonly name: 'rollback' }
  | { readonly name: 'cleanup'; readonly version: string; readonly yes: boolean }
  | { readonly name: 'adopt'; readonly version: string }
  | { readonly name: 'stop'; readonly version: string }
  | { readonly name: 'list' };

export const HELP = `reprocess: replay the raw log into a new version, verify it, switch every reader, roll back

Usage: npm run reprocess -- <command> [options]    (or: npx nx reprocess reprocess -- <command>)

  start <version> [--set VAR=value ...] [--detach]
      Start a stream-processor writing version <version>: consumer group <CONSUMER_GROUP>-<version>,
      schema geostream_<version>, indices <ES_INDEX_PREFIX>_<version>-*, topics *.<version>,
      with the given processor settings (e.g. --set WINDOW_SIZE_MS=20000
      --set SITE_CONFIG_FILE=levels.json). Follows its progress until it has caught up
      (--detach: return once it runs). Refused: an existing version, settings the processor refuses.
  status <version> [--follow]
      Lag, readings/s, ETA and a progress bar (--follow: until caught up).
  verify <version>
      Accounting identity, coverage against the current version, what changed (windows, levels,
      alerts). Refused before the version has caught up.
  switch <version>
      Move every reader to <version>: the views of READ_PG_SCHEMA in one transaction, the
      aliases READ_ES_INDEX_PREFIX-<type> in one _aliases call. Refused unless caught up and verified.
  rollback
      Move every reader back to the previous version.
  cleanup <version> --yes
      Stop its processor, delete its schema, indices, topics and consumer group. Never the current one.
  list
      Every version, which is current and previous, its settings.
  adopt <version>
      Register the running deployment (its outputs as this environment names them) as a version,
      so the first switch points readers at it and rollback can return to it. Never cleaned up.
  stop <version>
      Stop the processor \`start\` ran for <version>, once the processor deployment runs it.

Environment: the live deployment's KAFKA_BROKERS, DATABASE_URL, ELASTICSEARCH_URL, RAW_TOPIC,
CONSUMER_GROUP, PG_SCHEMA, ES_INDEX_PREFIX, OUTPUT_TOPIC_PREFIX/SUFFIX, DLQ_TOPIC, ALERTS_TOPIC
(versions' names derive from them), READ_PG_SCHEMA (geostream_read), READ_ES_INDEX_PREFIX
(readings_current). See tools/reprocess/README.md.`;

function bad(message: string): never {
  throw new ReprocessError('REPROCESS_BAD_ARGUMENTS', `${message} (see --help)`);
}

export function parseArgs(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (
    name === undefined ||
    name === '--help' ||
    name === '-h' ||
    name === 'help' ||
    rest.includes('--help')
  )
    return { name: 'help' };
  const flags = new Set<string>();
  const settings: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--set') {
      const value = rest[++i];
      if (value === undefined) bad('--set needs VAR=value');
      settings.push(value);
    } else if (arg.startsWith('--set=')) settings.push(arg.slice('--set='.length));
    else if (arg.startsWith('--')) flags.add(arg);
    else positional.push(arg);
  }
  const allowed: Record<string, string[]> = {
    start: ['--detach'],
    status: ['--follow'],
    cleanup: ['--yes'],
  };
  for (const flag of flags)
    if (!(allowed[name] ?? []).includes(flag)) bad(`${name}: unknown option ${flag}`);
  if (settings.length > 0 && name !== 'start') bad(`${name}: --set is for start`);
  const needsVersion = ['start', 'status', 'verify', 'switch', 'cleanup', 'adopt', 'stop'].includes(
    name,
  );
  if (needsVersion && positional.length !== 1) bad(`${name} takes one version name`);
  if (!needsVersion && positional.length > 0) bad(`${name} takes no version name`);
  const version = positional[0] ?? '';
  switch (name) {
    case 'start':
      return { name, version, settings, follow: !flags.has('--detach') };
    case 'status':
      return { name, version, follow: flags.has('--follow') };
    case 'verify':
    case 'switch':
    case 'adopt':
    case 'stop':
      return { name, version };
    case 'cleanup':
      return { name, version, yes: flags.has('--yes') };
    case 'rollback':
    case 'list':
      return { name };
    default:
      return bad(`unknown command ${JSON.stringify(name)}`);
  }
}
