import { ApiError, getJson, sendJson } from './api';
import { h } from './dom';
import { formatTime } from './format';
import { loadLevelChanges, renderLevelsAdmin } from './levels-admin';

/**
 * The admin's page: users (add, role, disable, password, end sessions), notification routes and
 * trigger levels (web/levels-admin.ts).
 */
interface User {
  username: string;
  display_name: string;
  role: 'viewer' | 'engineer' | 'admin';
  disabled: boolean;
  created_at: string;
}

interface Route {
  id: string;
  name: string;
  channel: 'email' | 'webhook';
  target: string;
  min_level: string;
  conditions: string[] | null;
  instrument_types: string[] | null;
  actions: string[];
  enabled: boolean;
}

const ROLES = ['viewer', 'engineer', 'admin'] as const;

export async function renderAdmin(root: HTMLElement, signal: AbortSignal): Promise<void> {
  const message = h('p', { class: 'admin-message', id: 'admin-message', role: 'status' });
  const say = (text: string, error = false) => {
    message.textContent = text;
    message.classList.toggle('error', error);
  };
  async function attempt(work: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await work();
      say(done);
      await draw();
    } catch (error) {
      say(error instanceof ApiError ? error.message : String(error), true);
    }
  }

  const usersSection = h('section', { id: 'admin-users' });
  const routesSection = h('section', { id: 'admin-routes' });
  const levelsSection = h('section', { id: 'admin-levels' });
  root.replaceChildren(
    h('h2', {}, 'Administration'),
    message,
    usersSection,
    routesSection,
    levelsSection,
  );

  /** A button that does `work`, then says `done` and redraws (or shows the API's reasons). */
  const actionButton = (label: string, work: () => Promise<unknown>, done: string) =>
    h(
      'button',
      { type: 'button', class: 'button', onclick: () => void attempt(work, done) },
      label,
    );

  async function draw(): Promise<void> {
    const [users, routes, levels] = await Promise.all([
      getJson<User[]>('/api/admin/users', {}, signal),
      getJson<Route[]>('/api/admin/notification-routes', {}, signal),
      loadLevelChanges(signal),
    ]);
    const input = (name: string, attributes: Record<string, string | number | boolean> = {}) =>
      h('input', { name, ...attributes });
    const userForm = h(
      'form',
      {
        class: 'admin-form',
        id: 'add-user',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(event.target as HTMLFormElement));
          void attempt(
            () => sendJson('POST', '/api/admin/users', data),
            `user ${String(data['username'])} added`,
          );
        },
      },
      input('username', { placeholder: 'user name', required: true, maxlength: 64 }),
      input('display_name', { placeholder: 'full name', required: true, maxlength: 200 }),
      h('select', { name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, r))),
      input('password', {
        type: 'password',
        placeholder: 'password (12+)',
        required: true,
        autocomplete: 'new-password',
      }),
      h('button', { type: 'submit', class: 'button' }, 'Add user'),
    );
    usersSection.replaceChildren(
      h('h3', {}, 'Users'),
      h(
        'table',
        { class: 'data users' },
        h(
          'thead',
          {},
          h('tr', {}, ...['User', 'Name', 'Role', 'Access', '', ''].map((t) => h('th', {}, t))),
        ),
        h(
          'tbody',
          {},
          ...users.map((u) => {
            const path = `/api/admin/users/${encodeURIComponent(u.username)}`;
            const role = h(
              'select',
              {
                'data-user': u.username,
                onchange: (event: Event) =>
                  void attempt(
                    () =>
                      sendJson('PATCH', path, { role: (event.target as HTMLSelectElement).value }),
                    `${u.username} is now ${(event.target as HTMLSelectElement).value}`,
                  ),
              },
              ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)),
            );
            return h(
              'tr',
              { 'data-user': u.username },
              h('td', {}, u.username),
              h('td', {}, u.display_name),
              h('td', {}, role),
              h('td', {}, u.disabled ? 'disabled' : `since ${formatTime(u.created_at)}`),
              h(
                'td',
                {},
                actionButton(
                  u.disabled ? 'Enable' : 'Disable',
                  () => sendJson('PATCH', path, { disabled: !u.disabled }),
                  `${u.username} ${u.disabled ? 'enabled' : 'disabled'}`,
                ),
              ),
              h(
                'td',
                {},
                actionButton(
                  'End sessions',
                  () => sendJson('POST', `${path}/revoke-sessions`),
                  `sessions of ${u.username} ended`,
                ),
              ),
            );
          }),
        ),
      ),
      userForm,
    );

    const routeForm = h(
      'form',
      {
        class: 'admin-form',
        id: 'add-route',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const data = Object.fromEntries(new FormData(event.target as HTMLFormElement)) as Record<
            string,
            string
          >;
          void attempt(
            async () => {
              const created = await sendJson<{ secret: string | null }>(
                'POST',
                '/api/admin/notification-routes',
                {
                  name: data['name'],
                  channel: data['channel'],
                  target: data['target'],
                  min_level: data['min_level'],
                },
              );
              if (created?.secret) say(`Webhook secret (shown once): ${created.secret}`);
            },
            `route ${data['name'] ?? ''} added`,
          );
        },
      },
      input('name', { placeholder: 'name', required: true, maxlength: 200 }),
      h(
        'select',
        { name: 'channel' },
        h('option', { value: 'email' }, 'e-mail'),
        h('option', { value: 'webhook' }, 'webhook'),
      ),
      input('target', {
        placeholder: 'addresses, comma-separated, or https:// URL',
        required: true,
        maxlength: 2000,
      }),
      h(
        'select',
        { name: 'min_level' },
        ...['alert', 'alarm', 'action'].map((l) => h('option', { value: l }, `from ${l}`)),
      ),
      h('button', { type: 'submit', class: 'button' }, 'Add route'),
    );
    routesSection.replaceChildren(
      h('h3', {}, 'Notification routes'),
      h(
        'table',
        { class: 'data routes' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Name', 'Channel', 'To', 'From level', 'Conditions', 'Types', 'Actions', ''].map(
              (t) => h('th', {}, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...routes.map((r) =>
            h(
              'tr',
              { 'data-route': r.id },
              h('td', {}, r.name),
              h('td', {}, r.channel),
              h('td', {}, r.target),
              h('td', {}, r.min_level),
              h('td', {}, r.conditions?.join(', ') ?? 'all'),
              h('td', {}, r.instrument_types?.join(', ') ?? 'all'),
              h('td', {}, r.actions.join(', ')),
              h(
                'td',
                {},
                actionButton(
                  'Remove',
                  () => sendJson('DELETE', `/api/admin/notification-routes/${r.id}`),
                  `route ${r.name} removed`,
                ),
              ),
            ),
          ),
        ),
      ),
      routeForm,
    );
    renderLevelsAdmin(levelsSection, levels, { attempt, say });
  }
  await draw();
}
