/** How users look on a terminal, and how a user is named on the command line. */
import type { ApiClient } from './client.js';
import { relativeTime, shortId } from './format.js';
import { isWholeId, resolveId } from './resolve-id.js';
import { formatFields, formatTable } from './table.js';

export interface UserView {
  id: string;
  username: string;
  admin: boolean;
  service: boolean;
  entitlements: string[];
  disabled: boolean;
  created_at: string;
}

export const kindOf = (u: UserView) => (u.admin ? 'admin' : u.service ? 'service' : 'user');

export function userTable(users: UserView[], now: Date): string {
  return formatTable(
    ['ID', 'USERNAME', 'KIND', 'STATUS', 'ENTITLEMENTS', 'CREATED'],
    users.map((u) => [
      shortId(u.id),
      u.username,
      kindOf(u),
      u.disabled ? 'disabled' : 'enabled',
      u.entitlements.join(','),
      relativeTime(u.created_at, now),
    ]),
    { shrinkable: ['USERNAME', 'ENTITLEMENTS'] },
  );
}

export const userFields = (u: UserView, now: Date) =>
  formatFields([
    ['id', u.id],
    ['username', u.username],
    ['kind', kindOf(u)],
    ['status', u.disabled ? 'disabled' : 'enabled'],
    ['entitlements', u.entitlements.join(' ')],
    ['created', `${u.created_at} (${relativeTime(u.created_at, now)})`],
  ]);

/** A user by exact username, whole id or unique id prefix. */
export async function resolveUser(api: ApiClient, input: string): Promise<string> {
  if (isWholeId(input)) return input.toLowerCase();
  const users = await api.listAll<UserView>('/api/v1/users');
  // Usernames are unique whatever their case, as the server compares them.
  const named = users.find((u) => u.username.toLowerCase() === input.toLowerCase());
  if (named) return named.id;
  return resolveId(input, 'user', async () => users.map((u) => ({ id: u.id, label: u.username })));
}
