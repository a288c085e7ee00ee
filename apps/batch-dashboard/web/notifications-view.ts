import { getJson } from './api';
import { h } from './dom';
import { formatTime } from './format';

/** What was sent, what waits and what is failing, with the last error of each. */
interface Notification {
  id: string;
  created_at: string;
  alarm_id: string;
  route_name: string;
  channel: 'email' | 'webhook';
  target: string;
  status: 'pending' | 'failing' | 'sent' | 'failed';
  attempts: number;
  last_attempt_at: string | null;
  next_attempt_at: string;
  sent_at: string | null;
  last_error: string | null;
}

/** Rows per page; "Older" follows the API's keyset cursor. */
const PAGE_SIZE = 200;

export async function renderNotifications(
  root: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const status = params.get('status') ?? undefined;
  const tab = (value: string | undefined, label: string) =>
    h(
      'a',
      {
        class: `button${status === value ? ' active' : ''}`,
        href: value === undefined ? '#/notifications' : `#/notifications?status=${value}`,
      },
      label,
    );
  const counts = h('p', { class: 'filter-actions', id: 'notification-counts' });
  const list = h('div', { id: 'notification-list' });
  const more = h('p', {});
  root.replaceChildren(h('h2', {}, 'Notifications'), counts, list, more);

  const shown: Notification[] = [];
  async function page(before?: string): Promise<void> {
    const result = await getJson<{
      counts: Record<string, number>;
      notifications: Notification[];
      nextCursor: string | null;
    }>('/api/notifications', { status, limit: PAGE_SIZE, before }, signal);
    shown.push(...result.notifications);
    counts.replaceChildren(
      tab(undefined, 'All'),
      ...(['pending', 'failing', 'failed', 'sent'] as const).map((s) =>
        tab(s, `${s} ${result.counts[s] ?? 0}`),
      ),
    );
    list.replaceChildren(notificationTable(shown));
    more.replaceChildren(
      result.nextCursor === null
        ? ''
        : h(
            'button',
            {
              type: 'button',
              class: 'button',
              id: 'notifications-older',
              onclick: () => void page(result.nextCursor ?? undefined),
            },
            'Older',
          ),
    );
  }
  await page();
}

function notificationTable(notifications: readonly Notification[]): HTMLElement {
  return notifications.length === 0
    ? h('p', { class: 'empty' }, 'Nothing here.')
    : h(
        'table',
        { class: 'data notifications' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Queued',
              'Status',
              'Route',
              'To',
              'Alarm',
              'Attempts',
              'Sent / next try',
              'Last error',
            ].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...notifications.map((n) =>
            h(
              'tr',
              { class: `notification status-${n.status}`, 'data-status': n.status },
              h('td', {}, formatTime(n.created_at)),
              h('td', {}, n.status),
              h('td', {}, `${n.route_name} (${n.channel})`),
              h('td', {}, n.target),
              h('td', {}, n.alarm_id),
              h('td', { class: 'num' }, String(n.attempts)),
              h(
                'td',
                {},
                n.sent_at !== null
                  ? formatTime(n.sent_at)
                  : n.status === 'failed'
                    ? 'given up'
                    : formatTime(n.next_attempt_at),
              ),
              h('td', { class: 'error-text' }, n.last_error ?? ''),
            ),
          ),
        ),
      );
}
