/**
 * The console's "May act for you" field: `may_act` (docs/design.md, "Delegation") written by
 * name, one entry a line, as the CLI's `--may-act` takes it: `USERNAME` or `trust:POLICY`,
 * optionally followed by `= scope scope` to narrow what that actor gets. Names are resolved to
 * ids here; the rules (live users, existing policies, scopes within the token's) stay in
 * delegation/may-act-check.ts, which the service runs on every path.
 */
import { z } from 'zod';
import type { Queryable } from '../db/queryable.js';
import { type MayAct, mayActSchema } from '../delegation/may-act.js';
import { type FieldError, invalidRequest } from '../errors.js';
import { findUserByIdIncludingDeleted, findUserByUsername } from '../users/repository.js';

export const MAY_ACT_LABEL = 'May act for you';
/** The field's label, which its errors carry: "for you" on one's own token, "for NAME" on an admin's form for NAME. */
export const mayActLabel = (owner?: string) => (owner ? `May act for ${owner}` : MAY_ACT_LABEL);
const POLICY = 'trust:';
const isId = (text: string) => z.uuid().safeParse(text).success;

interface Line {
  policy: boolean;
  who: string;
  scopes?: string[];
}

function parseLine(line: string): Line | string {
  const [target = '', scopeText] = line.split('=', 2).map((part) => part.trim());
  const scopes = scopeText?.split(/[\s,]+/).filter(Boolean);
  if (scopeText !== undefined && scopes?.length === 0) return `${line}: expected scopes after "="`;
  const policy = target.startsWith(POLICY);
  const who = policy ? target.slice(POLICY.length).trim() : target;
  if (!who || /\s/.test(who)) return `${line}: expected a username or trust:POLICY`;
  return { policy, who, ...(scopes ? { scopes } : {}) };
}

async function idOf(q: Queryable, line: Line): Promise<string | null> {
  if (isId(line.who)) return line.who.toLowerCase();
  if (!line.policy) return (await findUserByUsername(q, line.who))?.id ?? null;
  const { rows } = await q.query<{ id: string }>('SELECT id FROM trust_policies WHERE name = $1', [line.who]);
  return rows[0]?.id ?? null;
}

/** The field's text as a `may_act` list (null: nobody); 400 naming each line it cannot read. */
export async function mayActFromText(
  q: Queryable,
  text: string,
  label = MAY_ACT_LABEL,
): Promise<MayAct | null> {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const errors: FieldError[] = [];
  const entries: unknown[] = [];
  for (const text of lines) {
    const line = parseLine(text);
    if (typeof line === 'string') {
      errors.push({ field: label, message: line });
      continue;
    }
    const id = await idOf(q, line);
    if (!id)
      errors.push({
        field: label,
        message: `no such ${line.policy ? 'trust policy' : 'user'}: ${line.who}`,
      });
    const scopes = line.scopes ? { scopes: line.scopes } : {};
    entries.push(line.policy ? { trust_policy_id: id, ...scopes } : { user_id: id, ...scopes });
  }
  if (errors.length) throw invalidRequest(errors);
  const parsed = mayActSchema.safeParse(entries);
  if (!parsed.success) {
    throw invalidRequest(parsed.error.issues.map((issue) => ({ field: label, message: issue.message })));
  }
  return parsed.data.length ? parsed.data : null;
}

/** One entry as the token page shows it: by name, with its scopes. */
export interface MayActShown {
  policy: boolean;
  name: string;
  /** The id, for an entry whose user or policy no longer exists (the form then shows the id). */
  goneId?: string;
  scopes: string[] | null;
}

async function nameOf(q: Queryable, entry: MayAct[number]): Promise<string | null> {
  if ('user_id' in entry) {
    const user = await findUserByIdIncludingDeleted(q, entry.user_id);
    return user && !user.deleted_at ? user.username : null;
  }
  const { rows } = await q.query<{ name: string }>('SELECT name FROM trust_policies WHERE id = $1', [
    entry.trust_policy_id,
  ]);
  return rows[0]?.name ?? null;
}

export async function mayActShown(q: Queryable, mayAct: MayAct | null): Promise<MayActShown[]> {
  const shown: MayActShown[] = [];
  for (const entry of mayAct ?? []) {
    const policy = !('user_id' in entry);
    const id = 'user_id' in entry ? entry.user_id : entry.trust_policy_id;
    const name = await nameOf(q, entry);
    const scopes = entry.scopes ?? null;
    shown.push(
      name
        ? { policy, name, scopes }
        : { policy, name: `(deleted ${policy ? 'policy' : 'user'})`, goneId: id, scopes },
    );
  }
  return shown;
}

/** The entries back as the field's text, so the form shows what is stored. */
export function mayActText(shown: MayActShown[]): string {
  return shown
    .map((e) => `${e.policy ? POLICY : ''}${e.goneId ?? e.name}${e.scopes ? ` = ${e.scopes.join(' ')}` : ''}`)
    .join('\n');
}
