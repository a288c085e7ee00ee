import {
  alarmConditionOf,
  alarmPointKeyOf,
  maxTriggerLevel,
  triggerLevelRank,
  type AlarmEvent,
  type TriggerLevel,
} from '@geostream/instrument-schemas';
import { AlertingError, type AlertingErrorCode } from '../errors';
import {
  ALARM_LIFECYCLE_VERSION,
  SYSTEM_ACTOR,
  type AlarmLifecycle,
  type AlarmState,
} from './alarm-lifecycle';

export const AUDIT_ACTIONS = [
  'raise',
  'clear',
  'acknowledge',
  'shelve',
  'unshelve',
  'comment',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Longest comment or shelving reason kept (audit rows are exported to CSV and read by people). */
export const MAX_COMMENT_LENGTH = 2000;
/** Longest shelf unless the caller allows more: shelving is temporary by design (ISA-18.2). */
export const DEFAULT_MAX_SHELVE_MS = 7 * 24 * 3_600_000;

/** One row of the append-only audit log: who did what to which alarm, when, and why. */
export interface AlarmAuditEntry {
  readonly alarm_id: string;
  readonly point: string;
  readonly action: AuditAction;
  /** Event time of the alarm event for raise/clear; the caller's clock for people's actions. */
  readonly at: string;
  /** The user, or SYSTEM_ACTOR for the pipeline. */
  readonly by: string;
  readonly comment: string | null;
  /** Null when the raise opened the point's first occurrence. */
  readonly from_state: AlarmState | null;
  readonly to_state: AlarmState;
  readonly from_level: TriggerLevel;
  readonly to_level: TriggerLevel;
  /** For shelve: until when. */
  readonly shelved_until: string | null;
  /** For raise and clear: the alarm event applied (its id is unique: dedupe on it). */
  readonly event_id: string | null;
}

export interface AlarmTransition {
  readonly state: AlarmLifecycle;
  readonly audit: AlarmAuditEntry;
  /** True when this raise opened a new occurrence (alarm_id is the raise's id). */
  readonly opened: boolean;
}

/** A person acting on an alarm from the dashboard or the API. */
export interface AlarmAction {
  /** The occurrence acted on (the alarm id the person saw). */
  readonly alarmId: string;
  readonly by: string;
  /** The caller's clock, ms. */
  readonly atMs: number;
  readonly comment?: string;
}

export interface ShelveAction extends AlarmAction {
  readonly untilMs: number;
  readonly reason: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isActive = (state: AlarmState) =>
  state === 'active_unacknowledged' || state === 'active_acknowledged';

function refuse(code: AlertingErrorCode, message: string, lifecycle?: AlarmLifecycle): never {
  throw new AlertingError(
    code,
    message,
    lifecycle === undefined
      ? {}
      : { alarm_id: lifecycle.alarm_id, point: lifecycle.point, state: lifecycle.state },
  );
}

function entry(
  before: AlarmLifecycle | undefined,
  after: AlarmLifecycle,
  fields: Pick<AlarmAuditEntry, 'action' | 'at' | 'by'> & Partial<AlarmAuditEntry>,
): AlarmAuditEntry {
  return {
    alarm_id: after.alarm_id,
    point: after.point,
    comment: null,
    from_state: before?.state ?? null,
    to_state: after.state,
    from_level: before?.level ?? 'none',
    to_level: after.level,
    shelved_until: null,
    event_id: null,
    ...fields,
  };
}

/**
 * Applies a raise or clear from the pipeline to an alarm point (undefined: never raised).
 * - a raise on a closed (or new) point opens a new occurrence, unacknowledged;
 * - a raise while active to a higher level escalates it and needs a new acknowledgement
 *   (someone acknowledged amber; red is a new call to act); a clear to a lower level that is
 *   not none keeps its acknowledgement;
 * - a raise on a cleared, unacknowledged alarm reactivates the same occurrence (nobody has
 *   seen it yet);
 * - a clear to none: active_unacknowledged -> cleared_unacknowledged, active_acknowledged ->
 *   closed.
 * Returns undefined for an event that changes nothing: one older than the last applied, the
 * last one again, a clear of a point already cleared. Events must come in their log order per
 * point; the app should still dedupe on event ids (the audit's event_id) across restarts.
 * @throws AlertingError EVENT_FOR_ANOTHER_ALARM when the event is not this point's
 */
export function applyAlarmEvent(
  current: AlarmLifecycle | undefined,
  event: AlarmEvent,
): AlarmTransition | undefined {
  const point = alarmPointKeyOf(event);
  if (current !== undefined) {
    if (current.point !== point)
      refuse('EVENT_FOR_ANOTHER_ALARM', `event ${event.id} belongs to ${point}`, current);
    if (event.id === current.last_event_id || event.occurred_at < current.last_event_at)
      return undefined;
  }
  const system = { at: event.occurred_at, by: SYSTEM_ACTOR, event_id: event.id };
  const seen = { last_event_id: event.id, last_event_at: event.occurred_at };

  if (event.kind === 'raise') {
    if (current === undefined || current.state === 'closed') {
      const opened: AlarmLifecycle = {
        schema_version: ALARM_LIFECYCLE_VERSION,
        point,
        alarm_id: event.id,
        condition: alarmConditionOf(event),
        instrument: event.instrument,
        borehole_number: event.borehole_number,
        direction: 'direction' in event ? event.direction : null,
        state: 'active_unacknowledged',
        level: event.to_level,
        peak_level: event.to_level,
        raised_at: event.occurred_at,
        cleared_at: null,
        acknowledged: null,
        shelved: current?.shelved ?? null,
        ...seen,
      };
      return {
        state: opened,
        audit: entry(current, opened, { action: 'raise', ...system }),
        opened: true,
      };
    }
    if (
      isActive(current.state) &&
      triggerLevelRank(event.to_level) <= triggerLevelRank(current.level)
    )
      return undefined;
    const raised: AlarmLifecycle = {
      ...current,
      state: 'active_unacknowledged',
      level: event.to_level,
      peak_level: maxTriggerLevel(current.peak_level, event.to_level),
      cleared_at: null,
      acknowledged: null,
      ...seen,
    };
    return {
      state: raised,
      audit: entry(current, raised, { action: 'raise', ...system }),
      opened: false,
    };
  }

  if (current === undefined || !isActive(current.state)) return undefined;
  const cleared = event.to_level === 'none';
  const next: AlarmLifecycle = {
    ...current,
    state: !cleared
      ? current.state
      : current.state === 'active_acknowledged'
        ? 'closed'
        : 'cleared_unacknowledged',
    level: event.to_level,
    cleared_at: cleared ? event.occurred_at : null,
    ...seen,
  };
  return {
    state: next,
    audit: entry(current, next, { action: 'clear', ...system }),
    opened: false,
  };
}

function checkText(
  value: string | undefined,
  what: string,
  requiredCode: AlertingErrorCode | undefined,
  lifecycle: AlarmLifecycle,
): string | null {
  const text = value ?? '';
  if (text.trim() === '') {
    if (requiredCode !== undefined) refuse(requiredCode, `${what} is required`, lifecycle);
    return null;
  }
  if (text.length > MAX_COMMENT_LENGTH)
    refuse(
      'COMMENT_TOO_LONG',
      `${what} is longer than ${MAX_COMMENT_LENGTH} characters`,
      lifecycle,
    );
  return text;
}

function checkAction(lifecycle: AlarmLifecycle, action: AlarmAction): string {
  if (!Number.isSafeInteger(action.atMs))
    throw new RangeError(`atMs must be whole ms, got ${action.atMs}`);
  if (action.by.trim() === '') refuse('ACTOR_REQUIRED', 'who acts must be named', lifecycle);
  return iso(action.atMs);
}

/** The occurrence an action names must be the current one, unless it may name an older one. */
function isCurrent(lifecycle: AlarmLifecycle, action: AlarmAction): boolean {
  return action.alarmId === lifecycle.alarm_id;
}

/**
 * An operator acknowledges the current occurrence: active_unacknowledged -> active_acknowledged,
 * cleared_unacknowledged -> closed.
 * @throws AlertingError ALARM_CLOSED (closed, or an older occurrence) | ALREADY_ACKNOWLEDGED |
 *   ACTOR_REQUIRED | COMMENT_TOO_LONG
 */
export function acknowledgeAlarm(lifecycle: AlarmLifecycle, action: AlarmAction): AlarmTransition {
  const at = checkAction(lifecycle, action);
  const comment = checkText(action.comment, 'a comment', undefined, lifecycle);
  if (!isCurrent(lifecycle, action) || lifecycle.state === 'closed')
    refuse(
      'ALARM_CLOSED',
      `alarm ${action.alarmId} is closed: there is nothing to acknowledge`,
      lifecycle,
    );
  if (lifecycle.state === 'active_acknowledged')
    refuse('ALREADY_ACKNOWLEDGED', `alarm ${action.alarmId} is already acknowledged`, lifecycle);
  const next: AlarmLifecycle = {
    ...lifecycle,
    state: lifecycle.state === 'active_unacknowledged' ? 'active_acknowledged' : 'closed',
    acknowledged: { by: action.by, at, comment },
  };
  return {
    state: next,
    audit: entry(lifecycle, next, { action: 'acknowledge', at, by: action.by, comment }),
    opened: false,
  };
}

/**
 * An operator shelves the alarm point until a time, with a reason: it stays in its state but is
 * not annunciated or notified (isShelved). Shelving again replaces the shelf. Any state may be
 * shelved, closed included (shelving a point before planned works); the audit entry is the
 * current occurrence's, whichever occurrence the person shelved it from.
 * @throws AlertingError SHELVE_REASON_REQUIRED | SHELVE_EXPIRY_NOT_IN_FUTURE | SHELVE_TOO_LONG |
 *   ACTOR_REQUIRED | COMMENT_TOO_LONG
 */
export function shelveAlarm(
  lifecycle: AlarmLifecycle,
  action: ShelveAction,
  options: { readonly maxShelveMs?: number } = {},
): AlarmTransition {
  const at = checkAction(lifecycle, action);
  const reason = checkText(
    action.reason,
    'a reason to shelve',
    'SHELVE_REASON_REQUIRED',
    lifecycle,
  ) as string;
  const comment = checkText(action.comment, 'a comment', undefined, lifecycle);
  if (!Number.isSafeInteger(action.untilMs))
    throw new RangeError(`untilMs must be whole ms, got ${action.untilMs}`);
  if (action.untilMs <= action.atMs)
    refuse(
      'SHELVE_EXPIRY_NOT_IN_FUTURE',
      `a shelf must end after ${at}, got ${iso(action.untilMs)}`,
      lifecycle,
    );
  const maxMs = options.maxShelveMs ?? DEFAULT_MAX_SHELVE_MS;
  if (action.untilMs - action.atMs > maxMs)
    refuse('SHELVE_TOO_LONG', `a shelf may last at most ${maxMs} ms`, lifecycle);
  const until = iso(action.untilMs);
  const next: AlarmLifecycle = { ...lifecycle, shelved: { until, reason, by: action.by, at } };
  return {
    state: next,
    audit: entry(lifecycle, next, {
      action: 'shelve',
      at,
      by: action.by,
      shelved_until: until,
      comment: comment === null ? reason : `${reason}\n${comment}`,
    }),
    opened: false,
  };
}

/** True while the point is shelved at `nowMs` (a shelf ends at its `until`). */
export function isShelved(lifecycle: AlarmLifecycle, nowMs: number): boolean {
  return lifecycle.shelved !== null && Date.parse(lifecycle.shelved.until) > nowMs;
}

/**
 * An operator unshelves the point before its shelf ends.
 * @throws AlertingError NOT_SHELVED | ACTOR_REQUIRED | COMMENT_TOO_LONG
 */
export function unshelveAlarm(lifecycle: AlarmLifecycle, action: AlarmAction): AlarmTransition {
  const at = checkAction(lifecycle, action);
  const comment = checkText(action.comment, 'a comment', undefined, lifecycle);
  if (!isShelved(lifecycle, action.atMs))
    refuse('NOT_SHELVED', `alarm ${action.alarmId} is not shelved`, lifecycle);
  const next: AlarmLifecycle = { ...lifecycle, shelved: null };
  return {
    state: next,
    audit: entry(lifecycle, next, { action: 'unshelve', at, by: action.by, comment }),
    opened: false,
  };
}

/**
 * Ends a shelf whose time has come: the app calls it with its clock (on reads, or on a timer at
 * the shelf's end). The audit entry is dated at the shelf's end, not when this was noticed.
 * Undefined when not shelved or not yet due.
 */
export function expireShelf(lifecycle: AlarmLifecycle, nowMs: number): AlarmTransition | undefined {
  if (lifecycle.shelved === null || isShelved(lifecycle, nowMs)) return undefined;
  const next: AlarmLifecycle = { ...lifecycle, shelved: null };
  const at = lifecycle.shelved.until;
  return {
    state: next,
    audit: entry(lifecycle, next, {
      action: 'unshelve',
      at,
      by: SYSTEM_ACTOR,
      comment: 'shelf expired',
    }),
    opened: false,
  };
}

/**
 * An operator comments on an occurrence, current or past (a note after the event is part of
 * the record), in any state. A past occurrence is closed by definition.
 * @throws AlertingError COMMENT_REQUIRED | COMMENT_TOO_LONG | ACTOR_REQUIRED
 */
export function commentOnAlarm(lifecycle: AlarmLifecycle, action: AlarmAction): AlarmTransition {
  const at = checkAction(lifecycle, action);
  const comment = checkText(action.comment, 'a comment', 'COMMENT_REQUIRED', lifecycle);
  const past = !isCurrent(lifecycle, action);
  return {
    state: lifecycle,
    audit: {
      ...entry(lifecycle, lifecycle, { action: 'comment', at, by: action.by, comment }),
      alarm_id: action.alarmId,
      ...(past
        ? { from_state: 'closed', to_state: 'closed', from_level: 'none', to_level: 'none' }
        : {}),
    },
    opened: false,
  };
}
