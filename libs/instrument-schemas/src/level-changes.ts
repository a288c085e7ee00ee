import { unknownFields } from './config-fields';
import { instrumentKey } from './identity';
import { isInstrumentType, type InstrumentType } from './instrument-types';
import type { Problem, ValidationResult } from './problems';
import {
  SITE_CONFIG_VERSION,
  type InstrumentOverride,
  type SiteConfig,
} from './schemas/site-config';
import type { TriggerLevelsConfig } from './schemas/trigger-levels';
import { checkTriggerLevels, deepFreeze } from './site-config';
import {
  describeValue,
  identifierProblem,
  isPlainObject,
  notAnObject,
  problem,
  stringProblem,
  versionProblem,
} from './validation/field-problems';

/**
 * An admin's change of trigger levels, as it travels in the raw topic among the readings.
 *
 * Why in the raw log: the processor's outputs are a function of the log alone (that is what
 * makes a restart or a Kappa reprocessing reproduce them). A level change read from anywhere
 * else would apply at whatever moment the processor happened to see it, and a replay would
 * raise other alarms. In the log it has a position: every window the processor closes after
 * reading it, in that partition, is judged on the new levels, in the first run and in every
 * replay alike. The dashboard writes one copy to every partition of the raw topic, since each
 * partition is processed on its own.
 */
export interface TriggerLevelChange {
  readonly version: typeof LEVEL_CHANGE_VERSION;
  /**
   * Increasing per change (the dashboard's PostgreSQL identity). A copy re-sent after a crash
   * carries its old id and is ignored where a later change of the same scope was applied.
   */
  readonly change_id: number;
  readonly instrument: InstrumentType;
  /** One instrument; null: the default of every instrument of the type. */
  readonly borehole_number: string | null;
  /** The new levels; null: back to what SITE_CONFIG_FILE (or the library) says. */
  readonly trigger_levels: TriggerLevelsConfig | null;
  readonly changed_by: string;
  /** ISO-8601 UTC: when the admin made it (shown only; the log position is what counts). */
  readonly changed_at: string;
}

export const LEVEL_CHANGE_VERSION = 1;

/**
 * The Kafka header that marks a raw-topic record as a level change, not a reading. Readings
 * never carry it; a record with it is never read as a reading.
 */
export const CONTROL_HEADER = 'geostream-control';
export const LEVEL_CHANGE_CONTROL = 'trigger-levels';

/** The message key of every level-change record (they go to each partition explicitly). */
export const LEVEL_CHANGE_KEY = 'geostream:trigger-levels';

/** What one change applies to: 'type' for a type's default, else the instrument's key. */
export function levelScopeKey(
  change: Pick<TriggerLevelChange, 'instrument' | 'borehole_number'>,
): string {
  return change.borehole_number === null
    ? change.instrument
    : instrumentKey(change.instrument, change.borehole_number);
}

const FIELDS = [
  'version',
  'change_id',
  'instrument',
  'borehole_number',
  'trigger_levels',
  'changed_by',
  'changed_at',
];

/** Checks a level change (a record's parsed JSON, or a checkpoint's copy) field by field. */
export function parseTriggerLevelChange(json: unknown): ValidationResult<TriggerLevelChange> {
  if (!isPlainObject(json)) return { ok: false, problems: [notAnObject('a level change', json)] };
  const problems: Problem[] = [];
  const version = versionProblem(json.version, 'version', LEVEL_CHANGE_VERSION, true);
  if (version !== undefined) return { ok: false, problems: [version] };
  unknownFields(json, FIELDS, '', problems);
  if (!Number.isSafeInteger(json.change_id) || (json.change_id as number) < 1) {
    problems.push(
      problem(
        'invalid_value',
        'change_id',
        `change_id must be a positive integer, got ${describeValue(json.change_id)}`,
      ),
    );
  }
  const type = isInstrumentType(json.instrument) ? json.instrument : undefined;
  if (type === undefined) {
    problems.push(
      problem(
        'unknown_instrument',
        'instrument',
        `instrument ${describeValue(json.instrument)} is not an instrument type`,
      ),
    );
  }
  if (json.borehole_number !== null) {
    const p = identifierProblem(json.borehole_number, 'borehole_number');
    if (p !== undefined) problems.push(p);
  }
  if (json.trigger_levels !== null)
    checkTriggerLevels(json.trigger_levels, type, 'trigger_levels', problems);
  const by = stringProblem(json.changed_by, 'changed_by');
  if (by !== undefined) problems.push(by);
  if (typeof json.changed_at !== 'string' || Number.isNaN(Date.parse(json.changed_at))) {
    problems.push(
      problem(
        'invalid_timestamp',
        'changed_at',
        `changed_at must be an ISO-8601 time, got ${describeValue(json.changed_at)}`,
      ),
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: json as unknown as TriggerLevelChange };
}

/** Problems of one proposed definition, as `parseSiteConfig` would name them at `path`. */
export function triggerLevelsProblems(
  levels: unknown,
  instrument: InstrumentType,
  path = 'trigger_levels',
): Problem[] {
  const problems: Problem[] = [];
  checkTriggerLevels(levels, instrument, path, problems);
  return problems;
}

/**
 * The site configuration with the changes in force laid over it: a type's change replaces the
 * type's default, an instrument's change replaces (or adds) its own entry's trigger levels,
 * keeping its other rules. Precedence stays as in the file: an instrument's own levels, then
 * its type's default, then the library's. Changes with null levels are none (back to the file).
 * Pass the latest change of each scope; returns `config` itself when none is in force.
 */
export function applyLevelChanges(
  config: SiteConfig | undefined,
  changes: Iterable<Pick<TriggerLevelChange, 'instrument' | 'borehole_number' | 'trigger_levels'>>,
): SiteConfig | undefined {
  const defaults: Partial<Record<InstrumentType, TriggerLevelsConfig>> = { ...config?.defaults };
  const instruments = new Map<string, InstrumentOverride>(
    (config?.instruments ?? []).map((o) => [instrumentKey(o.instrument, o.borehole_number), o]),
  );
  let any = false;
  for (const change of changes) {
    if (change.trigger_levels === null) continue;
    any = true;
    if (change.borehole_number === null) {
      defaults[change.instrument] = change.trigger_levels;
      continue;
    }
    const key = instrumentKey(change.instrument, change.borehole_number);
    instruments.set(key, {
      ...(instruments.get(key) ?? {
        instrument: change.instrument,
        borehole_number: change.borehole_number,
      }),
      trigger_levels: change.trigger_levels,
    });
  }
  if (!any) return config;
  // A new frozen value: per-config lookup indexes are cached by identity.
  return deepFreeze(
    structuredClone({
      ...(config ?? { version: SITE_CONFIG_VERSION }),
      defaults,
      instruments: [...instruments.values()],
    }),
  ) as SiteConfig;
}

/** A change's JSON text, as the dashboard writes it to the raw topic. */
export function encodeTriggerLevelChange(change: TriggerLevelChange): string {
  return JSON.stringify({
    version: change.version,
    change_id: change.change_id,
    instrument: change.instrument,
    borehole_number: change.borehole_number,
    trigger_levels: change.trigger_levels,
    changed_by: change.changed_by,
    changed_at: change.changed_at,
  });
}
