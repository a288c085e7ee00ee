import type { Logger } from '@geostream/platform';
import type { UserStore } from './users';

/**
 * The first admin of a new site: when DASHBOARD_ADMIN_USER and DASHBOARD_ADMIN_PASSWORD are set
 * and no enabled admin exists, that user is created (or, if the name exists, made an enabled
 * admin with that password). Once an admin exists the variables do nothing: change the password
 * in the dashboard and remove them.
 */
export async function bootstrapAdmin(
  users: UserStore,
  admin: { readonly username: string; readonly password: string } | undefined,
  logger: Logger,
): Promise<void> {
  if (admin === undefined || (await users.enabledAdmins()) > 0) return;
  if ((await users.find(admin.username)) === undefined) {
    await users.create({
      username: admin.username,
      displayName: admin.username,
      role: 'admin',
      password: admin.password,
    });
  } else {
    await users.update(admin.username, {
      role: 'admin',
      disabled: false,
      password: admin.password,
    });
  }
  logger.warn({ username: admin.username }, 'first admin created from DASHBOARD_ADMIN_USER');
}
