/** `tessera trust create|list|show|delete`: federation trust policies over the REST API (admin). */
import { type Command, InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import type { trustPolicySchema } from '../api/response-schemas.js';
import type { ApiClient } from './client.js';
import { formatTable } from './table.js';

/** A trust policy as the API answers it. */
type PolicyView = z.output<typeof trustPolicySchema>;

const PATH = '/api/v1/admin/trust-policies';

/** `--claim name=value`, repeatable; repeating a name accepts any of its values. */
function collectClaim(value: string, claims: Record<string, string[]>): Record<string, string[]> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected name=value');
  const name = value.slice(0, at);
  return { ...claims, [name]: [...(claims[name] ?? []), value.slice(at + 1)] };
}

function parseSeconds(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('expected a whole number of seconds');
  return Number(value);
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function policyTable(policies: PolicyView[]): string {
  return formatTable(
    ['ID', 'NAME', 'ISSUER', 'SUBJECT', 'CLAIMS', 'SCOPES', 'TTL', 'SINGLE USE'],
    policies.map((p) => [
      p.id,
      p.name,
      p.issuer,
      p.subject ?? '-',
      Object.entries(p.claims)
        .map(([name, values]) => `${name}=${values.join('|')}`)
        .join(' '),
      p.scopes.join(','),
      String(p.max_ttl_seconds),
      p.single_use ? 'yes' : 'no',
    ]),
  );
}

interface CreateOptions {
  issuer: string;
  user: string;
  scopes: string;
  subject?: string;
  claim: Record<string, string[]>;
  audience?: string;
  audiences?: string;
  maxTtl?: number;
  singleUse?: boolean;
  json?: boolean;
}

function createBody(name: string, opts: CreateOptions) {
  return {
    name,
    issuer: opts.issuer,
    user_id: opts.user,
    scopes: list(opts.scopes),
    ...(opts.subject === undefined ? {} : { subject: opts.subject }),
    ...(Object.keys(opts.claim).length ? { claims: opts.claim } : {}),
    ...(opts.audience === undefined ? {} : { audience: opts.audience }),
    ...(opts.audiences === undefined ? {} : { audiences: list(opts.audiences) }),
    ...(opts.maxTtl === undefined ? {} : { max_ttl_seconds: opts.maxTtl }),
    ...(opts.singleUse ? { single_use: true } : {}),
  };
}

export function registerTrustCommands(
  program: Command,
  client: () => ApiClient,
  out: (text: string) => void,
) {
  const trust = program.command('trust').description('manage federation trust policies (admin)');
  const print = (policies: PolicyView[], json?: boolean, one = false) =>
    out(json ? JSON.stringify(one ? policies[0] : policies, null, 2) : policyTable(policies));

  trust
    .command('create <name>')
    .description("trust an issuer's tokens that match a subject or claims")
    .requiredOption('--issuer <url>', "the issuer, exactly as its tokens' iss says")
    .requiredOption('--user <id>', 'the Tessera user the JWTs are issued for')
    .requiredOption('-s, --scopes <list>', 'comma-separated scopes (within the user’s entitlements)')
    .option('--subject <pattern>', 'exact sub, or a pattern where * matches any run of characters')
    .option('--claim <name=value>', 'a claim condition (repeatable)', collectClaim, {})
    .option('--audience <aud>', "the external token's required aud (default: Tessera's issuer)")
    .option('--audiences <list>', 'resources the JWTs may be for (comma-separated)')
    .option('--max-ttl <seconds>', 'longest JWT lifetime', parseSeconds)
    .option('--single-use', 'accept each external token (jti) once')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: CreateOptions) => {
      print([await client().request<PolicyView>('POST', PATH, createBody(name, opts))], opts.json, true);
    });

  trust
    .command('list')
    .description('list trust policies')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items: PolicyView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
        const page: { items: PolicyView[]; next_cursor: string | null } = await client().request(
          'GET',
          `${PATH}?${query}`,
        );
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      print(items, opts.json);
    });

  trust
    .command('show <id>')
    .description('show one trust policy')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      print(
        [await client().request<PolicyView>('GET', `${PATH}/${encodeURIComponent(id)}`)],
        opts.json,
        true,
      );
    });

  trust
    .command('delete <id>')
    .description('delete a trust policy (its next exchange is refused)')
    .action(async (id: string) => {
      await client().request('DELETE', `${PATH}/${encodeURIComponent(id)}`);
      out(`deleted ${id}`);
    });
}
