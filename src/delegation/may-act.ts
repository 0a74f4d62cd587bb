/**
 * `may_act` (RFC 8693 §4.4): who may act for the holder of a credential. It lives on a PAT (the
 * owner's consent) and, narrowed, in an exchanged JWT that a later actor presents as its subject.
 * One schema parses it everywhere (API body, console form, CLI, the `may_act` request parameter).
 */
import { z } from 'zod';

/** At most this many entries on one credential. */
export const MAX_MAY_ACT_ENTRIES = 20;

const scopeList = z
  .array(z.string().min(1).max(64))
  .min(1)
  .max(50)
  .transform((scopes) => [...new Set(scopes)]);

const userEntry = z.strictObject({ user_id: z.uuid(), scopes: scopeList.optional() });
const policyEntry = z.strictObject({ trust_policy_id: z.uuid(), scopes: scopeList.optional() });

/** One principal per entry: a Tessera user, or whoever a trust policy accepts. */
export const mayActEntrySchema = z.union([userEntry, policyEntry]);

export const mayActSchema = z
  .array(mayActEntrySchema)
  .max(MAX_MAY_ACT_ENTRIES)
  .refine((entries) => new Set(entries.map(principalKey)).size === entries.length, {
    message: 'each user or trust policy may appear only once',
  });

export type MayActEntry = z.output<typeof mayActEntrySchema>;
export type MayAct = MayActEntry[];

/** Who is acting, as far as consent is concerned: a Tessera user, or a trust policy's workload. */
export type ActorPrincipal =
  | { kind: 'user'; userId: string }
  | { kind: 'trust_policy'; trustPolicyId: string };

export function principalKey(entry: MayActEntry): string {
  return 'user_id' in entry ? `user:${entry.user_id}` : `trust_policy:${entry.trust_policy_id}`;
}

const keyOfPrincipal = (actor: ActorPrincipal) =>
  actor.kind === 'user' ? `user:${actor.userId}` : `trust_policy:${actor.trustPolicyId}`;

/**
 * The entry of `mayAct` naming `actor`, or null: no entry, no consent. Matching is by Tessera
 * user id or trust policy id only, never by an external `sub` (two policies may see the same one).
 */
export function consentFor(mayAct: MayAct | null | undefined, actor: ActorPrincipal): MayActEntry | null {
  const key = keyOfPrincipal(actor);
  return mayAct?.find((entry) => principalKey(entry) === key) ?? null;
}

/** Reads a stored or claimed `may_act`; anything that does not parse counts as no consent. */
export function readMayAct(value: unknown): MayAct | null {
  const parsed = mayActSchema.safeParse(value);
  return parsed.success && parsed.data.length > 0 ? parsed.data : null;
}
