import {
  applyLevelChanges,
  CONTROL_HEADER,
  LEVEL_CHANGE_CONTROL,
  levelScopeKey,
  parseTriggerLevelChange,
  type MessageProblem,
  type SiteConfig,
  type TriggerLevelChange,
} from '@geostream/instrument-schemas';
import type { RawMessage } from './raw-message';
import { triggerLevelsFromSiteConfig, type TriggerLevelsResolver } from './trigger-levels';

const UTF8 = new TextDecoder();

/**
 * The admins' trigger-level changes one partition has read from its log, the latest per scope
 * (a type, or one instrument), and the levels they make: the site configuration with them laid
 * over it. Part of the partition's state: checkpointed, so a restore resumes with the levels in
 * force at its offset, and a replay from there applies later changes at the same positions.
 */
export class PartitionLevels {
  private readonly latest = new Map<string, TriggerLevelChange>();
  private resolver: TriggerLevelsResolver;

  constructor(
    private readonly siteConfig: SiteConfig | undefined,
    restored: readonly TriggerLevelChange[] = [],
  ) {
    for (const change of restored) this.latest.set(levelScopeKey(change), change);
    this.resolver = this.build();
  }

  /** The levels windows are judged on now. */
  get resolve(): TriggerLevelsResolver {
    return this.resolver;
  }

  /**
   * Applies a change read from the log. False when a change of the same scope with this id or
   * a later one was applied already: a copy re-sent after the dashboard crashed mid-publish.
   */
  apply(change: TriggerLevelChange): boolean {
    const scope = levelScopeKey(change);
    const current = this.latest.get(scope);
    if (current !== undefined && current.change_id >= change.change_id) return false;
    this.latest.set(scope, change);
    this.resolver = this.build();
    return true;
  }

  /** For the checkpoint header, in scope order (a return to the file is kept for its id). */
  get state(): TriggerLevelChange[] {
    return [...this.latest.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, change]) => change);
  }

  private build(): TriggerLevelsResolver {
    return triggerLevelsFromSiteConfig(applyLevelChanges(this.siteConfig, this.latest.values()));
  }
}

/** The record's control kind (its CONTROL_HEADER), or undefined for a reading. */
export function controlKindOf(message: RawMessage): string | undefined {
  const header = message.headers?.[CONTROL_HEADER];
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return '';
  return typeof value === 'string' ? value : UTF8.decode(value);
}

/** A control record read: a level change, or why it cannot be one (for its dead letter). */
export type ControlRecord =
  | { readonly ok: true; readonly change: TriggerLevelChange }
  | { readonly ok: false; readonly problem: MessageProblem };

export function readControlRecord(kind: string, bytes: Uint8Array): ControlRecord {
  if (kind !== LEVEL_CHANGE_CONTROL)
    return refused(
      'unsupported_version',
      '',
      `a control record of kind ${JSON.stringify(kind)}: this release only knows ` +
        `${JSON.stringify(LEVEL_CHANGE_CONTROL)} (written by a newer dashboard?)`,
    );
  let json: unknown;
  try {
    json = JSON.parse(UTF8.decode(bytes));
  } catch (error) {
    return refused('not_json', '', `a level change that is not JSON: ${String(error)}`);
  }
  const parsed = parseTriggerLevelChange(json);
  if (parsed.ok) return { ok: true, change: parsed.value };
  const first = parsed.problems[0];
  return {
    ok: false,
    problem: {
      code: first?.code ?? 'invalid_value',
      path: first?.path ?? '',
      message: `a level change refused: ${parsed.problems.map((p) => p.message).join('; ')}`,
      problems: parsed.problems,
    },
  };
}

function refused(code: MessageProblem['code'], path: string, message: string): ControlRecord {
  const problem = { code, path, message };
  return { ok: false, problem: { ...problem, problems: [problem] } };
}

/**
 * The changes of a checkpoint header: [] when absent (checkpoints written before level
 * changes existed); undefined when malformed.
 */
export function readLevelChanges(json: unknown): TriggerLevelChange[] | undefined {
  if (json === undefined) return [];
  if (!Array.isArray(json)) return undefined;
  const changes: TriggerLevelChange[] = [];
  for (const entry of json) {
    const parsed = parseTriggerLevelChange(entry);
    if (!parsed.ok) return undefined;
    changes.push(parsed.value);
  }
  return changes;
}
