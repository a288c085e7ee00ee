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

export async function renderNotifications(
  root: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const status = params.get('status') ?? undefined;
  const result = await getJson<{
    counts: Record<string, number>;
    notifications: Notification[];
  }>('/api/notifications', { status, limit: 200 }, signal);
  const tab = (value: string | undefined, label: string) =>
    h(
      'a',
      {
        class: `button${status === value ? ' active' : ''}`,
        href: value === undefined ? '#/notifications' : `#/notifications?status=${value}`,
      },
      label,
    );
  root.replaceChildren(
    h('h2', {}, 'Notifications'),
    h(
      'p',
      { class: 'filter-actions', id: 'notification-counts' },
      tab(undefined, 'All'),
      ...(['pending', 'failing', 'failed', 'sent'] as const).map((s) =>
        tab(s, `${s} ${result.counts[s] ?? 0}`),
      ),
    ),
    result.notifications.length === 0
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
            ...result.notifications.map((n) =>
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
        ),
  );
}
