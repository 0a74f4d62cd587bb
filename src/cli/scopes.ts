/** `tessera scopes`: the scope catalogue, so people know what to ask for. */
import type { Command } from 'commander';
import type { ApiClient, Page } from './client.js';
import { printJson } from './format.js';
import { formatTable } from './table.js';

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
