/** `tessera token ...`: one's own PATs over the REST API (`/api/v1/tokens`). */
import type { Command } from 'commander';
import { type ApiClient, CliError, type Page, queryString } from './client.js';
import { EXIT } from './exit-codes.js';
import { parseDays, parseLifetimeDays, parseScopeList, printJson } from './format.js';
import { collectMayAct, type MayActOption, resolveMayAct } from './may-act.js';
import { resolveOwnToken } from './resolve-id.js';
import { registerTokenEventsCommand } from './token-events.js';
import { type PatView, patFields, patTable, printIssued } from './token-view.js';

interface ListOptions {
  status?: string;
  expiringWithin?: number;
  neverUsed?: boolean;
  limit?: string;
  cursor?: string;
  json?: boolean;
}

/**
 * Lists as the API pages them: with `--limit`, one page and its `next_cursor`; without, every
 * page, printed as one list whose `next_cursor` is null.
 */
export async function listPats(
  api: ApiClient,
  path: string,
  filters: Record<string, string | undefined>,
  opts: ListOptions,
) {
  if (opts.limit || opts.cursor) {
    return api.request<Page<PatView>>(
      'GET',
      `${path}${queryString({ ...filters, limit: opts.limit, cursor: opts.cursor })}`,
    );
  }
  return { items: await api.listAll<PatView>(path, filters), next_cursor: null };
}

const MAY_ACT_FLAGS = '--may-act <USER|trust:POLICY[=SCOPES]>';
const MAY_ACT_HELP = 'who may act with it (repeatable; RFC 8693)';
const REQUIRE_DPOP_HELP = 'its exchanges need a DPoP proof (RFC 9449)';

type UpdateOptions = { mayAct?: MayActOption[] | false; requireDpop?: boolean; json?: boolean };

/** The PATCH body: only what was given changes. */
async function updateBody(api: ApiClient, opts: UpdateOptions) {
  if (opts.mayAct === undefined && opts.requireDpop === undefined) {
    throw new CliError('give --may-act, --no-may-act, --require-dpop or --no-require-dpop', EXIT.usage);
  }
  return {
    ...(opts.mayAct === undefined
      ? {}
      : { may_act: opts.mayAct === false ? null : await resolveMayAct(api, opts.mayAct) }),
    ...(opts.requireDpop === undefined ? {} : { require_dpop: opts.requireDpop }),
  };
}

/** `-a` repeats: each use adds a network to the PAT's `allowed_cidrs`. */
const collect = (cidr: string, all: string[] = []) => [...all, cidr];

type CreateOptions = {
  scopes?: string[];
  expiresInDays?: number;
  allow?: string[];
  mayAct?: MayActOption[];
  requireDpop?: boolean;
  json?: boolean;
};

/** The usage error for `token create` without `-s`, listing the scopes the caller may choose. */
async function scopesRequired(api: ApiClient): Promise<CliError> {
  const me = await api.request<{ entitlements: string[] }>('GET', '/api/v1/me').catch((error) => {
    // No TESSERA_TOKEN (or a refused one) is the problem to report first.
    if (error instanceof CliError && error.exitCode === EXIT.auth) throw error;
    return undefined;
  });
  const offer = me ? `; you may choose from: ${me.entitlements.join(', ')}` : '';
  return new CliError(`-s/--scopes is required${offer} (e.g. -s repo:read)`, EXIT.usage);
}

export function listFilters(opts: ListOptions): Record<string, string | undefined> {
  return {
    status: opts.status,
    expiring_within_days: opts.expiringWithin === undefined ? undefined : String(opts.expiringWithin),
    never_used: opts.neverUsed ? 'true' : undefined,
  };
}

export function addListOptions(command: Command): Command {
  return command
    .option('--status <status>', 'active, revoked or expired')
    .option('--expiring-within <days>', 'only active tokens expiring within this many days', parseDays)
    .option('--never-used', 'only tokens never used')
    .option('--limit <n>', 'one page of at most n (1-100), with its next_cursor')
    .option('--cursor <cursor>', "the page after a previous page's next_cursor")
    .option('--json', 'print the API response');
}

export function registerTokenCommands(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  const token = program.command('token').description('manage your personal access tokens');
  const show = (pat: PatView, json?: boolean) => out(json ? printJson(pat) : patFields(pat, new Date()));

  token
    .command('create <name>')
    .description('create a token (its secret is printed once)')
    .option('-s, --scopes <list>', 'scopes, separated by commas or spaces (required)', parseScopeList)
    .option('-e, --expires-in-days <days>', 'lifetime in days (server default if omitted)', parseLifetimeDays)
    .option('-a, --allow <cidr>', 'usable only from this network (repeatable)', collect)
    .option(MAY_ACT_FLAGS, MAY_ACT_HELP, collectMayAct)
    .option('--require-dpop', REQUIRE_DPOP_HELP)
    .option('--json', 'print the API response')
    .action(async (name: string, opts: CreateOptions) => {
      const api = client();
      // No silent default: a token minted with a scope nobody chose is one nobody meant to make.
      if (!opts.scopes) throw await scopesRequired(api);
      const body = {
        name,
        scopes: opts.scopes,
        expires_in_days: opts.expiresInDays,
        ...(opts.allow ? { allowed_cidrs: opts.allow } : {}),
        ...(opts.mayAct ? { may_act: await resolveMayAct(api, opts.mayAct) } : {}),
        ...(opts.requireDpop ? { require_dpop: true } : {}),
      };
      printIssued(await api.request<PatView>('POST', '/api/v1/tokens', body), !!opts.json, out);
    });

  addListOptions(token.command('list').description('list your tokens, newest first')).action(
    async (opts: ListOptions) => {
      const page = await listPats(client(), '/api/v1/tokens', listFilters(opts), opts);
      out(opts.json ? printJson(page) : patTable(page.items, new Date()));
    },
  );

  token
    .command('show <id>')
    .description('show one token (never its secret)')
    .option('--json', 'print the API response')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      const id = await resolveOwnToken(api, input);
      show(await api.request<PatView>('GET', `/api/v1/tokens/${id}`), opts.json);
    });

  registerTokenChanges(token, client, out, show);
  registerTokenEventsCommand(token, client, out);
  return token;
}

/** The commands that change a token: revoke, restore, rotate, delete. */
function registerTokenChanges(
  token: Command,
  client: () => ApiClient,
  out: (text: string) => void,
  show: (pat: PatView, json?: boolean) => void,
) {
  for (const [action, about] of [
    ['revoke', 'revoke a token: it stops working at once'],
    ['restore', 'restore a token you revoked (not an expired one)'],
  ] as const) {
    token
      .command(`${action} <id>`)
      .description(about)
      .option('--json', 'print the API response')
      .action(async (input: string, opts: { json?: boolean }) => {
        const api = client();
        const id = await resolveOwnToken(api, input);
        show(await api.request<PatView>('POST', `/api/v1/tokens/${id}/${action}`, {}), opts.json);
      });
  }

  token
    .command('rotate <id>')
    .description('replace a token with a new secret (the old one is revoked)')
    .option('--json', 'print the API response')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      const id = await resolveOwnToken(api, input);
      printIssued(await api.request<PatView>('POST', `/api/v1/tokens/${id}/rotate`, {}), !!opts.json, out);
    });

  token
    .command('update <id>')
    .description('change who may act with a token, and whether it needs DPoP')
    .option(MAY_ACT_FLAGS, MAY_ACT_HELP, collectMayAct)
    .option('--no-may-act', 'nobody may act with it')
    .option('--require-dpop', REQUIRE_DPOP_HELP)
    .option('--no-require-dpop', 'its exchanges need no DPoP proof')
    .option('--json', 'print the API response')
    .action(async (input: string, opts: UpdateOptions) => {
      const api = client();
      const body = await updateBody(api, opts);
      const id = await resolveOwnToken(api, input);
      show(await api.request<PatView>('PATCH', `/api/v1/tokens/${id}`, body), opts.json);
    });

  token
    .command('delete <id>')
    .description('delete a revoked or expired token (its events stay readable)')
    .action(async (input: string) => {
      const api = client();
      const id = await resolveOwnToken(api, input);
      await api.request('DELETE', `/api/v1/tokens/${id}`);
      out(`deleted ${id}`);
    });
}
