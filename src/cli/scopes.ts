/** `tessera scopes` and `tessera whoami`: what one may ask for, and who one is. */
import type { Command } from 'commander';
import type { ApiClient, Page } from './client.js';
import { printJson } from './format.js';
import { formatFields, formatTable } from './table.js';
import type { UserView } from './user-view.js';

export function registerScopesCommand(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  program
    .command('scopes')
    .description('list the scopes tokens may carry, with their descriptions')
    .option('--json', 'print the API response')
    .action(async (opts: { json?: boolean }) => {
      const page = await client().request<Page<{ name: string; description: string }>>(
        'GET',
        '/api/v1/scopes',
      );
      if (opts.json) return out(printJson(page));
      out(
        formatTable(
          ['SCOPE', 'DESCRIPTION'],
          page.items.map((s) => [s.name, s.description]),
          { shrinkable: ['DESCRIPTION'] },
        ),
      );
    });
}

interface MeView extends UserView {
  credential: { type: string; pat_id: string | null; scopes: string[] };
}

export function registerWhoamiCommand(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  program
    .command('whoami')
    .description('the user and the scopes of TESSERA_TOKEN')
    .option('--json', 'print the API response')
    .action(async (opts: { json?: boolean }) => {
      const me = await client().request<MeView>('GET', '/api/v1/me');
      if (opts.json) return out(printJson(me));
      out(
        formatFields([
          ['user', `${me.username} (${me.id})`],
          ['entitlements', me.entitlements.join(' ')],
          [
            'credential',
            me.credential.pat_id ? `${me.credential.type} ${me.credential.pat_id}` : me.credential.type,
          ],
          ['scopes', me.credential.scopes.join(' ')],
        ]),
      );
    });
}
