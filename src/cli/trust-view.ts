/** How trust policies look on a terminal, their trail, and ids given as prefixes. */
import type { z } from 'zod';
import type { trustPolicyEventSchema, trustPolicySchema } from '../api/response-schemas.js';
import type { ApiClient } from './client.js';
import { relativeTime, shortId } from './format.js';
import { resolveId } from './resolve-id.js';
import { formatFields, formatTable } from './table.js';
import { actorCell, exchangeDetail } from './token-events.js';

/** A trust policy as the API answers it. */
export type PolicyView = z.output<typeof trustPolicySchema>;
/** One event of a policy's trail: a change, or a federated exchange it decided. */
export type PolicyEventView = z.output<typeof trustPolicyEventSchema>;

export const POLICIES_PATH = '/api/v1/admin/trust-policies';

/** Fits 100 columns (ids shortened, long text cut with …) unless `wide`; `--json` has it all. */
export function policyTable(policies: PolicyView[], wide = false): string {
  return formatTable(
    ['ID', 'NAME', 'ISSUER', 'SUBJECT', 'CLAIMS', 'SCOPES', 'TTL', 'SINGLE USE'],
    policies.map((p) => [
      wide ? p.id : shortId(p.id),
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
    wide
      ? { maxWidth: Number.POSITIVE_INFINITY }
      : { shrinkable: ['NAME', 'ISSUER', 'SUBJECT', 'CLAIMS', 'SCOPES'], minWidths: { NAME: 24 } },
  );
}

/** One policy, label by label: long values wrap, so it fits 100 columns whole. */
export function policyFields(p: PolicyView): string {
  return formatFields([
    ['id', p.id],
    ['name', p.name],
    ['issuer', p.issuer],
    ['audience', p.audience],
    ['subject', p.subject ?? '-'],
    [
      'claims',
      Object.entries(p.claims)
        .map(([name, values]) => `${name}=${values.join('|')}`)
        .join(' ') || '-',
    ],
    ['user', p.user_id],
    ['scopes', p.scopes.join(' ')],
    ['audiences', p.audiences.join(' ')],
    ['max ttl', `${p.max_ttl_seconds} s`],
    ['single use', p.single_use ? 'yes' : 'no'],
    ['dpop', p.require_dpop ? 'required' : 'optional'],
  ]);
}

/**
 * Changes name their actor; exchanges have none, so the external token's `sub` stands there.
 * An exchange's DETAIL names, as a token's trail does, who acted for whom and its DPoP key.
 */
export function policyEventTable(events: PolicyEventView[], now: Date): string {
  return formatTable(
    ['TIME', 'ACTION', 'OUTCOME', 'ACTOR', 'SUBJECT', 'DETAIL'],
    events.map((e) => [
      relativeTime(e.time, now),
      e.action,
      e.outcome,
      actorCell(e.actor),
      e.external?.sub ?? '-',
      exchangeDetail(e, e.audience, e.scope),
    ]),
    { shrinkable: ['DETAIL', 'SUBJECT', 'ACTOR'] },
  );
}

/** A policy by whole id or unique prefix; ambiguous prefixes list the policies' names. */
export function resolvePolicy(api: ApiClient, input: string): Promise<string> {
  return resolveId(input, 'trust policy', async () =>
    (await api.listAll<PolicyView>(POLICIES_PATH)).map((p) => ({ id: p.id, label: p.name })),
  );
}
