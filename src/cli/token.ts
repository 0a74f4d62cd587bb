/** `tessera token create|list|revoke|rotate`: manage one's PATs over the REST API. */
import { type Command, InvalidArgumentError } from 'commander';
import type { ApiClient } from './client.js';
import { formatTable } from './table.js';

interface PatView {
  id: string;
  name: string;
  hint: string;
  scopes: string[];
  status: string;
  expires_at: string | null;
  last_used_at: string | null;
  token?: string;
}

/** `-e` takes a whole number of days: anything else must not become `null` (no expiry). */
function parseDays(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a whole number of days');
  return Number(value);
}

/** `-a` repeats: each use adds a network to the PAT's `allowed_cidrs`. */
const collect = (cidr: string, all: string[] = []) => [...all, cidr];

type CreateOptions = { scopes: string; expiresInDays?: number; allow?: string[]; json?: boolean };

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never');

function patTable(pats: PatView[]): string {
  return formatTable(
    ['ID', 'NAME', 'HINT', 'STATUS', 'SCOPES', 'EXPIRES', 'LAST USED'],
    pats.map((p) => [
      p.id,
      p.name,
      p.hint,
      p.status,
      p.scopes.join(','),
      day(p.expires_at),
      day(p.last_used_at),
    ]),
  );
}

/** The plaintext goes to stdout alone on its line, so `$(tessera token create ...)`-style use is easy. */
function printIssued(pat: PatView, json: boolean, out: (text: string) => void) {
  if (json) return out(JSON.stringify(pat, null, 2));
  out(patTable([pat]));
  out('\nToken (shown once, store it now):');
  out(pat.token ?? '');
}

export function registerTokenCommands(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  const token = program.command('token').description('manage your personal access tokens');

  token
    .command('create <name>')
    .description('create a token (its secret is printed once)')
    .option('-s, --scopes <list>', 'comma-separated scopes', 'tessera:tokens')
    .option('-e, --expires-in-days <days>', 'lifetime in days (server default if omitted)', parseDays)
    .option('-a, --allow <cidr>', 'usable only from this network (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: CreateOptions) => {
      const body = {
        name,
        scopes: opts.scopes
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        ...(opts.expiresInDays === undefined ? {} : { expires_in_days: opts.expiresInDays }),
        ...(opts.allow ? { allowed_cidrs: opts.allow } : {}),
      };
      printIssued(await client().request<PatView>('POST', '/api/v1/tokens', body), !!opts.json, out);
    });

  token
    .command('list')
    .description('list your tokens')
    .option('--status <status>', 'active, revoked or expired')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; json?: boolean }) => {
      const items: PatView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '100', ...(opts.status ? { status: opts.status } : {}) });
        if (cursor) query.set('cursor', cursor);
        const page: { items: PatView[]; next_cursor: string | null } = await client().request(
          'GET',
          `/api/v1/tokens?${query}`,
        );
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      out(opts.json ? JSON.stringify(items, null, 2) : patTable(items));
    });

  token
    .command('revoke <id>')
    .description('revoke a token')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const pat = await client().request<PatView>(
        'POST',
        `/api/v1/tokens/${encodeURIComponent(id)}/revoke`,
        {},
      );
      out(opts.json ? JSON.stringify(pat, null, 2) : patTable([pat]));
    });

  token
    .command('rotate <id>')
    .description('replace a token with a new secret (the old one is revoked)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const pat = await client().request<PatView>(
        'POST',
        `/api/v1/tokens/${encodeURIComponent(id)}/rotate`,
        {},
      );
      printIssued(pat, !!opts.json, out);
    });
}
