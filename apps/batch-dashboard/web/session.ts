import { getJson, sendJson, setCsrfToken } from './api';
import { h } from './dom';

/** Who is signed in (GET /api/auth/me): a named user with a role, or a reader (viewer). */
export type Role = 'viewer' | 'engineer' | 'admin';

export interface Me {
  signed_in: boolean;
  role: Role;
  username?: string;
  display_name?: string;
  csrf_token?: string;
  expires_at?: string;
}

let me: Me = { signed_in: false, role: 'viewer' };

export async function loadMe(): Promise<Me> {
  me = await getJson<Me>('/api/auth/me');
  setCsrfToken(me.csrf_token);
  return me;
}

export const currentUser = (): Me => me;
/** Engineers and admins act on alarms; viewers (and wall screens) only look. */
export const canAct = (): boolean => me.role === 'engineer' || me.role === 'admin';
export const isAdmin = (): boolean => me.role === 'admin';

/** The header's corner: "Sign in", or the user, their role and "Sign out". */
export function renderSessionArea(area: HTMLElement): void {
  if (!me.signed_in) {
    area.replaceChildren(h('a', { href: '/dashboard/signin', id: 'sign-in' }, 'Sign in'));
    return;
  }
  area.replaceChildren(
    h('span', { id: 'signed-in-as' }, `${me.display_name ?? me.username} (${me.role})`),
    ' ',
    h(
      'button',
      {
        type: 'button',
        class: 'button',
        id: 'sign-out',
        onclick: () => {
          void sendJson('POST', '/api/auth/logout').finally(() =>
            window.location.assign('/dashboard/signin'),
          );
        },
      },
      'Sign out',
    ),
  );
}
