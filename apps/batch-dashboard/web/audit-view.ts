import { getJson, queryString } from './api';
import { auditTable, type AuditEntry } from './alarms-view';
import { h } from './dom';
import { INSTRUMENT_TYPES, TYPE_LABELS } from './format';

/**
 * The audit log: who did what to which alarm, when, and why; filtered, newest first, a page at
 * a time ("Older" follows the keyset cursor), and the same filters as a CSV download.
 */
const FILTERS = ['alarm_id', 'type', 'borehole', 'action', 'by', 'from', 'to'] as const;
const ACTIONS = ['raise', 'clear', 'acknowledge', 'shelve', 'unshelve', 'comment'];

export async function renderAudit(
  root: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const filter: Record<string, string> = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) filter[name] = value;
  }
  const field = (name: string, label: string, input: HTMLInputElement | HTMLSelectElement) => {
    input.name = name;
    input.value = filter[name] ?? '';
    return h('label', {}, label, input);
  };
  const form = h(
    'form',
    {
      class: 'filters audit-filters',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const data = new FormData(event.target as HTMLFormElement);
        const next = new URLSearchParams();
        for (const [name, value] of data)
          if (typeof value === 'string' && value !== '') next.set(name, value);
        window.location.hash = `#/audit?${next.toString()}`;
      },
    },
    field('by', 'Who ', h('input', { maxlength: 64 })),
    field(
      'action',
      'Action ',
      h(
        'select',
        {},
        h('option', { value: '' }, 'any'),
        ...ACTIONS.map((a) => h('option', { value: a }, a)),
      ),
    ),
    field(
      'type',
      'Type ',
      h(
        'select',
        {},
        h('option', { value: '' }, 'any'),
        ...INSTRUMENT_TYPES.map((t) => h('option', { value: t }, TYPE_LABELS[t])),
      ),
    ),
    field('borehole', 'Instrument ', h('input', { maxlength: 200 })),
    field('alarm_id', 'Alarm ', h('input', { maxlength: 1000 })),
    h('button', { type: 'submit', class: 'button' }, 'Filter'),
    h(
      'a',
      { class: 'button', id: 'audit-csv', href: `/api/audit.csv${queryString(filter)}` },
      'Export CSV',
    ),
  );
  const list = h('div', { id: 'audit-list' });
  const more = h('p', {});
  root.replaceChildren(h('h2', {}, 'Audit log'), form, list, more);

  const shown: AuditEntry[] = [];
  async function page(before?: string): Promise<void> {
    const result = await getJson<{ entries: AuditEntry[]; nextCursor: string | null }>(
      '/api/audit',
      { ...filter, limit: 100, before },
      signal,
    );
    shown.push(...result.entries);
    list.replaceChildren(auditTable(shown));
    more.replaceChildren(
      result.nextCursor === null
        ? ''
        : h(
            'button',
            {
              type: 'button',
              class: 'button',
              id: 'audit-older',
              onclick: () => void page(result.nextCursor ?? undefined),
            },
            'Older',
          ),
    );
  }
  await page();
}
