/** How users look on a terminal, and how a user is named on the command line. */
import type { ApiClient } from './client.js';
import { relativeTime, shortId } from './format.js';
import { pickOne } from './resolve-id.js';
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

/**
 * A user by exact id, exact username (case-insensitive, as the server compares them) or unique
 * id prefix. A username anyone can pick may equal another user's id or id prefix: then the
 * input names two users and is refused as ambiguous (exit 2), never silently one of them.
 */
export async function resolveUser(api: ApiClient, input: string): Promise<string> {
  const users = await api.listAll<UserView>('/api/v1/users');
  return pickOne(
    input,
    'user',
    users.map((u) => ({ id: u.id, label: u.username })),
    {
      // An id that no listed user has (a deleted user, whose events stay readable) is taken as is.
      unlistedWholeId: true,
    },
  );
}
