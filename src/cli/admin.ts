/** `tessera admin tokens|revoke|events|stats`: oversight of every user's tokens (`tessera:admin`). */
import type { Command } from 'commander';
import type { ApiClient } from './client.js';
import { printJson } from './format.js';
import { resolveId } from './resolve-id.js';
import { formatFields } from './table.js';
import { addListOptions, listFilters, listPats } from './token.js';
import { addEventsOptions, printEvents } from './token-events.js';
import { type PatView, patFields, patTable } from './token-view.js';

/** Anyone's token, by whole id or unique prefix among every user's tokens. */
function resolveAnyToken(api: ApiClient, input: string): Promise<string> {
  return resolveId(input, 'token', async () =>
    (await api.listAll<PatView>('/api/v1/admin/tokens')).map((p) => ({ id: p.id, label: p.name })),
  );
}

export function registerAdminCommands(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  const admin = program.command('admin').description("oversee every user's tokens (needs tessera:admin)");

  addListOptions(
    admin
      .command('tokens')
      .description("list every user's tokens, newest first")
      .option('--user <user>', 'only this user (username or whole id)'),
  ).action(
    async (opts: Parameters<typeof listFilters>[0] & { user?: string; limit?: string; json?: boolean }) => {
      const filters = { ...listFilters(opts), user: opts.user };
      const api = client();
      const page = await listPats(api, '/api/v1/admin/tokens', filters, opts);
      if (opts.json) return out(printJson(page));
      const users = await api.listAll<{ id: string; username: string }>('/api/v1/users');
      out(patTable(page.items, new Date(), new Map(users.map((u) => [u.id, u.username]))));
    },
  );

  admin
    .command('revoke <id>')
    .description("revoke anyone's token (only an administrator can restore it)")
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print the API response')
    .action(async (input: string, opts: { reason?: string; json?: boolean }) => {
      const api = client();
      const id = await resolveAnyToken(api, input);
      const pat = await api.request<PatView>('POST', `/api/v1/admin/tokens/${id}/revoke`, {
        reason: opts.reason,
      });
      out(opts.json ? printJson(pat) : patFields(pat, new Date()));
    });

  admin
    .command('restore <id>')
    .description("restore anyone's revoked token (not an expired or rotated one)")
    .option('--json', 'print the API response')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      const id = await resolveAnyToken(api, input);
      const pat = await api.request<PatView>('POST', `/api/v1/admin/tokens/${id}/restore`, {});
      out(opts.json ? printJson(pat) : patFields(pat, new Date()));
    });

  addEventsOptions(admin.command('events <id>').description("any token's audit trail, newest first")).action(
    async (input: string, opts: { limit?: string; cursor?: string; json?: boolean }) => {
      const api = client();
      await printEvents(api, `/api/v1/admin/tokens/${await resolveAnyToken(api, input)}/events`, opts, out);
    },
  );

  admin
    .command('stats')
    .description('oversight numbers: active, never used, expiring, exchanges')
    .option('--json', 'print the API response')
    .action(async (opts: { json?: boolean }) => {
      const stats = await client().request<Record<string, number>>('GET', '/api/v1/admin/stats');
      out(
        opts.json
          ? printJson(stats)
          : formatFields(Object.entries(stats).map(([k, v]) => [k.replaceAll('_', ' '), String(v)])),
      );
    });
  return admin;
}
