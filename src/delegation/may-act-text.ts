/** `may_act` in words, for an audit row's reason and the CLI (ids, never secrets). */
import type { MayAct, MayActEntry } from './may-act.js';

function describeEntry(entry: MayActEntry): string {
  const who = 'user_id' in entry ? `user ${entry.user_id}` : `trust policy ${entry.trust_policy_id}`;
  return entry.scopes ? `${who} (${entry.scopes.join(' ')})` : who;
}

export function describeMayAct(mayAct: MayAct | null): string {
  return mayAct?.length ? `may_act: ${mayAct.map(describeEntry).join(', ')}` : 'may_act: nobody';
}
