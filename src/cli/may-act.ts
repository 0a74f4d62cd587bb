/**
 * `--may-act USER|trust:POLICY[=SCOPES]` (repeatable): who may act with a PAT (RFC 8693 §4.4).
 * USER is a user id (or, for administrators, a username or id prefix); POLICY a trust policy id
 * (or, for administrators, a unique prefix). `=repo:read,repo:write` narrows what the actor gets.
 */
import { InvalidArgumentError } from 'commander';
import type { MayActEntry } from '../delegation/may-act.js';
import type { ApiClient } from './client.js';
import { splitScopes } from './format.js';
import { isWholeId } from './resolve-id.js';
import { resolvePolicy } from './trust-view.js';
import { resolveUser } from './user-view.js';

export interface MayActOption {
  kind: 'user' | 'trust_policy';
  who: string;
  scopes?: string[];
}

/** Parses one `--may-act` value; commander collects the repeats. */
export function collectMayAct(value: string, all: MayActOption[] = []): MayActOption[] {
  const at = value.indexOf('=');
  const target = at < 0 ? value : value.slice(0, at);
  const scopes = at < 0 ? undefined : splitScopes(value.slice(at + 1));
  if (scopes?.length === 0) throw new InvalidArgumentError('expected scopes after "="');
  const policy = target.startsWith('trust:');
  const who = policy ? target.slice('trust:'.length) : target;
  if (who === '') throw new InvalidArgumentError('expected USER or trust:POLICY');
  return [...all, { kind: policy ? 'trust_policy' : 'user', who, ...(scopes ? { scopes } : {}) }];
}

/** The `may_act` list for the API, with users and policies resolved to ids. */
/**
 * A whole id is sent as typed: only admins may list users and policies, and the server checks
 * that the entry names someone. Names and prefixes need the list (an admin's).
 */
const whole = (input: string, resolve: () => Promise<string>) =>
  isWholeId(input) ? Promise.resolve(input.toLowerCase()) : resolve();

export async function resolveMayAct(api: ApiClient, options: MayActOption[]): Promise<MayActEntry[]> {
  const entries: MayActEntry[] = [];
  for (const option of options) {
    const scopes = option.scopes ? { scopes: option.scopes } : {};
    entries.push(
      option.kind === 'user'
        ? { user_id: await whole(option.who, () => resolveUser(api, option.who)), ...scopes }
        : { trust_policy_id: await whole(option.who, () => resolvePolicy(api, option.who)), ...scopes },
    );
  }
  return entries;
}

/** One line per entry, for `token show`. */
export function mayActText(mayAct: MayActEntry[] | null): string {
  if (!mayAct || mayAct.length === 0) return 'nobody';
  return mayAct
    .map((e) => {
      const who = 'user_id' in e ? `user ${e.user_id}` : `trust:${e.trust_policy_id}`;
      return e.scopes ? `${who} (${e.scopes.join(' ')})` : who;
    })
    .join(', ');
}
