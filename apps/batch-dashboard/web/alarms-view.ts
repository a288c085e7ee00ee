import { ApiError, getJson, sendJson } from './api';
import { h } from './dom';
import { TYPE_LABELS, formatNumber, formatTime, instrumentHash } from './format';
import { canAct } from './session';
import type { InstrumentType, TriggerLevel } from './types';

/**
 * Alarms (ISA-18.2): the points in alarm, unacknowledged first, with what a person can do:
 * acknowledge (with a comment), shelve until a time with a reason, unshelve, comment. The
 * buttons show for engineers and admins only (the API refuses viewers too). An alarm's id opens
 * its story: every audit entry. The list reloads when the live feed says an alarm changed.
 */
export interface Alarm {
  alarm_id: string;
  point: string;
  condition: 'level' | 'rate' | 'no_data' | 'clock_skew';
  instrument: InstrumentType;
  borehole_number: string;
  direction: 'rising' | 'falling' | null;
  state: 'active_unacknowledged' | 'active_acknowledged' | 'cleared_unacknowledged' | 'closed';
  level: TriggerLevel;
  peak_level: TriggerLevel;
  raised_at: string;
  cleared_at: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  shelved_until: string | null;
  shelved_by: string | null;
  shelved_reason: string | null;
  value: number | null;
  threshold: number | null;
  unit: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  alarm_id: string;
  condition: string;
  instrument: InstrumentType;
  borehole_number: string;
  from_state: string | null;
  to_state: string;
  from_level: TriggerLevel;
  to_level: TriggerLevel;
  shelved_until: string | null;
  comment: string | null;
}

const CONDITIONS: Record<Alarm['condition'], string> = {
  level: 'Trigger level',
  rate: 'Rate of change',
  no_data: 'No data',
  clock_skew: 'Clock skew',
};
const STATES: Record<Alarm['state'], string> = {
  active_unacknowledged: 'Active, unacknowledged',
  active_acknowledged: 'Active, acknowledged',
  cleared_unacknowledged: 'Cleared, unacknowledged',
  closed: 'Closed',
};
const SHELF_HOURS = [1, 4, 8, 24, 72, 168];

const shelved = (a: Alarm) => a.shelved_until !== null && Date.parse(a.shelved_until) > Date.now();

function valueText(a: Alarm): string {
  if (a.value === null) return '';
  const threshold = a.threshold === null ? '' : ` (level ${formatNumber(a.threshold)})`;
  return `${formatNumber(a.value)} ${a.unit ?? ''}${threshold}`;
}

export interface AlarmsView {
  refresh(): void;
}

export function renderAlarms(root: HTMLElement, params: URLSearchParams): AlarmsView {
  const state = params.get('state') === 'all' ? 'all' : 'open';
  const message = h('p', { class: 'admin-message', id: 'alarm-message', role: 'status' });
  const table = h('div', { id: 'alarm-table' }, h('p', { class: 'loading' }, 'Loading…'));
  const detail = h('section', { id: 'alarm-detail', class: 'alarm-detail' });
  root.replaceChildren(
    h('h2', {}, 'Alarms'),
    h(
      'p',
      { class: 'filter-actions' },
      h('a', { class: `button${state === 'open' ? ' active' : ''}`, href: '#/alarms' }, 'Open'),
      h(
        'a',
        { class: `button${state === 'all' ? ' active' : ''}`, href: '#/alarms?state=all' },
        'All, closed too',
      ),
    ),
    message,
    table,
    detail,
  );

  async function act(path: string, body: Record<string, unknown>, done: string): Promise<void> {
    try {
      await sendJson('POST', `/api/alarms/${path}`, body);
      message.textContent = done;
      message.classList.remove('error');
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : String(error);
      message.classList.add('error');
    }
    refresh();
  }

  function actionForm(
    a: Alarm,
    kind: 'acknowledge' | 'shelve' | 'comment' | 'unshelve',
  ): HTMLElement {
    const comment = h('textarea', {
      name: 'comment',
      rows: 2,
      maxlength: 2000,
      placeholder: kind === 'comment' ? 'Comment (required)' : 'Comment (optional)',
    });
    const reason = h('input', {
      name: 'reason',
      maxlength: 2000,
      placeholder: 'Reason (required)',
    });
    const hours = h(
      'select',
      { name: 'hours' },
      ...SHELF_HOURS.map((n) => h('option', { value: n }, n < 24 ? `${n} h` : `${n / 24} d`)),
    );
    const form = h(
      'form',
      {
        class: 'alarm-action-form',
        'data-action': kind,
        onsubmit: (event: Event) => {
          event.preventDefault();
          const body: Record<string, unknown> = { alarm_id: a.alarm_id };
          if (comment.value.trim() !== '') body['comment'] = comment.value;
          if (kind === 'shelve') {
            body['reason'] = reason.value;
            body['until'] = new Date(Date.now() + Number(hours.value) * 3_600_000).toISOString();
          }
          void act(kind, body, `${kind} recorded for ${a.borehole_number}`);
        },
      },
      ...(kind === 'shelve' ? [reason, h('label', {}, 'for ', hours)] : []),
      comment,
      h('button', { type: 'submit', class: 'button' }, `Confirm ${kind}`),
    );
    return form;
  }

  function actions(a: Alarm, cell: HTMLElement): HTMLElement[] {
    if (!canAct()) return [];
    const open = (kind: 'acknowledge' | 'shelve' | 'comment' | 'unshelve') => () => {
      cell.querySelector('form')?.remove();
      cell.append(actionForm(a, kind));
      cell.querySelector<HTMLTextAreaElement | HTMLInputElement>('input, textarea')?.focus();
    };
    const button = (kind: 'acknowledge' | 'shelve' | 'comment' | 'unshelve', label: string) =>
      h(
        'button',
        { type: 'button', class: 'button', 'data-action': kind, onclick: open(kind) },
        label,
      );
    const unacknowledged =
      a.state === 'active_unacknowledged' || a.state === 'cleared_unacknowledged';
    return [
      ...(unacknowledged ? [button('acknowledge', 'Acknowledge')] : []),
      shelved(a) ? button('unshelve', 'Unshelve') : button('shelve', 'Shelve'),
      button('comment', 'Comment'),
    ];
  }

  async function showDetail(alarmId: string): Promise<void> {
    const { audit } = await getJson<{ alarm: Alarm | null; audit: AuditEntry[] }>('/api/alarm', {
      id: alarmId,
    });
    detail.replaceChildren(
      h('h3', {}, `Alarm ${alarmId}`),
      auditTable(audit),
      h(
        'p',
        {},
        h('a', { href: `#/audit?alarm_id=${encodeURIComponent(alarmId)}` }, 'In the audit log'),
      ),
    );
  }

  async function load(): Promise<void> {
    const { alarms } = await getJson<{ alarms: Alarm[] }>('/api/alarms', { state, limit: 500 });
    if (alarms.length === 0) {
      table.replaceChildren(h('p', { class: 'empty' }, 'No alarm.'));
      return;
    }
    const rows = alarms.map((a) => {
      const cell = h('td', { class: 'alarm-actions' });
      cell.append(...actions(a, cell));
      return h(
        'tr',
        { class: `alarm-row level-${a.peak_level} state-${a.state}`, 'data-alarm-id': a.alarm_id },
        h(
          'td',
          {},
          h(
            'span',
            { class: `level-badge level-${a.level === 'none' ? a.peak_level : a.level}` },
            a.level === 'none' ? `${a.peak_level} (cleared)` : a.level,
          ),
        ),
        h('td', { class: 'alarm-state' }, STATES[a.state]),
        h('td', {}, `${CONDITIONS[a.condition]}${a.direction ? `, ${a.direction}` : ''}`),
        h(
          'td',
          {},
          `${TYPE_LABELS[a.instrument]} `,
          h('a', { href: instrumentHash(a.instrument, a.borehole_number) }, a.borehole_number),
        ),
        h('td', { class: 'num' }, valueText(a)),
        h('td', {}, formatTime(a.raised_at)),
        h('td', { class: 'acknowledged-by' }, a.acknowledged_by ?? ''),
        h(
          'td',
          { class: 'shelved-until' },
          shelved(a) ? `${formatTime(a.shelved_until as string)} (${a.shelved_reason ?? ''})` : '',
        ),
        h(
          'td',
          {},
          h(
            'button',
            { type: 'button', class: 'link-button', onclick: () => void showDetail(a.alarm_id) },
            'history',
          ),
        ),
        cell,
      );
    });
    table.replaceChildren(
      h(
        'table',
        { class: 'data alarms' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Level',
              'State',
              'Condition',
              'Instrument',
              'Value',
              'Since',
              'Acknowledged by',
              'Shelved until',
              '',
              '',
            ].map((t) => h('th', {}, t)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  }

  let pending: Promise<void> | undefined;
  function refresh(): void {
    // One load at a time; a change during a load reloads once more after it.
    if (pending) {
      void pending.then(() => refresh());
      return;
    }
    pending = load()
      .catch((error: unknown) => {
        table.replaceChildren(h('p', { class: 'error' }, `Could not load: ${String(error)}`));
      })
      .finally(() => (pending = undefined));
  }
  refresh();
  return { refresh };
}

export function auditTable(entries: AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'No entry.');
  return h(
    'table',
    { class: 'data audit' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['When', 'Who', 'Action', 'Instrument', 'State', 'Level', 'Comment'].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...entries.map((e) =>
        h(
          'tr',
          { class: `audit-row action-${e.action}`, 'data-audit-id': e.id },
          h('td', {}, formatTime(e.at)),
          h('td', {}, e.actor),
          h(
            'td',
            { class: 'audit-action' },
            e.shelved_until ? `${e.action} until ${formatTime(e.shelved_until)}` : e.action,
          ),
          h('td', {}, `${TYPE_LABELS[e.instrument]} ${e.borehole_number} (${e.condition})`),
          h('td', {}, `${e.from_state ?? 'new'} → ${e.to_state}`),
          h('td', {}, `${e.from_level} → ${e.to_level}`),
          h('td', { class: 'audit-comment' }, e.comment ?? ''),
        ),
      ),
    ),
  );
}
