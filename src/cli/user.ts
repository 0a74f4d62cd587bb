/** `tessera user ...`: administrators manage users (`/api/v1/users`, scope `tessera:admin`). */
import type { Command } from 'commander';
import { type ApiClient, CliError } from './client.js';
import { EXIT } from './exit-codes.js';
import { parseLifetimeDays, parseScopeList, printJson } from './format.js';
import { type PatView, printIssued } from './token-view.js';
import { resolveUser, type UserView, userFields, userTable } from './user-view.js';

export function registerUserCommands(program: Command, client: () => ApiClient, out: (text: string) => void) {
  const user = program.command('user').description('manage users (needs tessera:admin)');
  const show = (u: UserView, json?: boolean) => out(json ? printJson(u) : userFields(u, new Date()));

  user
    .command('create <username>')
    .description('create a user')
    .option(
      '-e, --entitlements <scopes>',
      'scopes their tokens may carry (default: tessera:tokens)',
      parseScopeList,
    )
    .option('--admin', 'add tessera:admin')
    .option('--service', 'a service account: only administrators create its tokens')
    .option('--email <address>', 'where email notices about their tokens go')
    .option('--json', 'print the API response')
    .action(
      async (
        username: string,
        opts: { entitlements?: string[]; admin?: boolean; service?: boolean; email?: string; json?: boolean },
      ) => {
        const body = {
          username,
          entitlements: opts.entitlements,
          admin: opts.admin,
          service: opts.service,
          email: opts.email,
        };
        show(await client().request<UserView>('POST', '/api/v1/users', body), opts.json);
      },
    );

  user
    .command('list')
    .description('list users')
    .option('--json', 'print the API response')
    .action(async (opts: { json?: boolean }) => {
      const items = await client().listAll<UserView>('/api/v1/users');
      out(opts.json ? printJson({ items, next_cursor: null }) : userTable(items, new Date()));
    });

  user
    .command('show <user>')
    .description('show a user (by username, id or id prefix)')
    .option('--json', 'print the API response')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      show(await api.request<UserView>('GET', `/api/v1/users/${await resolveUser(api, input)}`), opts.json);
    });

  user
    .command('token <user> <name>')
    .description('create a token for a user (e.g. a service account)')
    .option('-s, --scopes <list>', 'scopes, separated by commas or spaces', parseScopeList, [
      'tessera:tokens',
    ])
    .option('-e, --expires-in-days <days>', 'lifetime in days (server default if omitted)', parseLifetimeDays)
    .option('--json', 'print the API response')
    .action(
      async (
        input: string,
        name: string,
        opts: { scopes: string[]; expiresInDays?: number; json?: boolean },
      ) => {
        const api = client();
        const body = { name, scopes: opts.scopes, expires_in_days: opts.expiresInDays };
        const path = `/api/v1/users/${await resolveUser(api, input)}/tokens`;
        printIssued(await api.request<PatView>('POST', path, body), !!opts.json, out);
      },
    );

  registerUserChanges(user, client, out, show);
}

/** The commands that change a user: update, disable, enable, delete. */
function registerUserChanges(
  user: Command,
  client: () => ApiClient,
  out: (text: string) => void,
  show: (u: UserView, json?: boolean) => void,
) {
  user
    .command('update <user>')
    .description("change a user's entitlements, admin flag, username or email")
    .option('-e, --entitlements <scopes>', 'the new entitlements (replace the old ones)', parseScopeList)
    .option('--admin', 'grant tessera:admin')
    .option('--no-admin', 'withdraw tessera:admin')
    .option('--username <name>', 'rename the user')
    .option('--email <address>', 'where email notices go ("" removes it)')
    .option('--json', 'print the API response')
    .action(
      async (
        input: string,
        opts: { entitlements?: string[]; admin?: boolean; username?: string; email?: string; json?: boolean },
      ) => {
        const email = opts.email === undefined ? undefined : opts.email || null;
        const body = { entitlements: opts.entitlements, admin: opts.admin, username: opts.username, email };
        if (Object.values(body).every((value) => value === undefined)) {
          throw new CliError(
            'nothing to change: give --entitlements, --admin, --no-admin, --username or --email',
            EXIT.usage,
          );
        }
        const api = client();
        show(
          await api.request<UserView>('PATCH', `/api/v1/users/${await resolveUser(api, input)}`, body),
          opts.json,
        );
      },
    );

  for (const [action, about] of [
    ['disable', 'disable a user: every token of theirs stops working at once'],
    ['enable', 'enable a user again'],
  ] as const) {
    user
      .command(`${action} <user>`)
      .description(about)
      .option('--json', 'print the API response')
      .action(async (input: string, opts: { json?: boolean }) => {
        const api = client();
        show(
          await api.request<UserView>('POST', `/api/v1/users/${await resolveUser(api, input)}/${action}`, {}),
          opts.json,
        );
      });
  }

  user
    .command('delete <user>')
    .description('delete a user and revoke every token of theirs (for good)')
    .action(async (input: string) => {
      const api = client();
      const id = await resolveUser(api, input);
      await api.request('DELETE', `/api/v1/users/${id}`);
      out(`deleted ${id}`);
    });
}
