/**
 * Ids as git takes hashes: a whole id, or any prefix that names exactly one object. The
 * candidates come from the same list the caller could read anyway, so a prefix reveals nothing.
 */
import { type ApiClient, CliError } from './client.js';
import { EXIT } from './exit-codes.js';

const WHOLE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[0-9a-f-]+$/i;

export const isWholeId = (input: string) => WHOLE_UUID.test(input);

export interface Candidate {
  id: string;
  /** Shown next to the id when a prefix is ambiguous (a name or a username). */
  label: string;
}

/**
 * The one candidate whose id starts with `input` (case-insensitive). A whole UUID is taken as
 * is, without listing, so ids of deleted objects (whose events stay readable) still work.
 */
export async function resolveId(
  input: string,
  what: string,
  candidates: () => Promise<Candidate[]>,
): Promise<string> {
  if (isWholeId(input)) return input.toLowerCase();
  if (!PREFIX.test(input)) throw new CliError(`no ${what} matches "${input}"`, EXIT.notFound);
  const prefix = input.toLowerCase();
  const matches = (await candidates()).filter((c) => c.id.startsWith(prefix));
  if (matches.length === 1) return (matches[0] as Candidate).id;
  if (matches.length === 0) throw new CliError(`no ${what} matches "${input}"`, EXIT.notFound);
  const listed = matches.map((c) => `  ${c.id}  ${c.label}`).join('\n');
  throw new CliError(
    `"${input}" is ambiguous: ${matches.length} ${what} ids start with it:\n${listed}`,
    EXIT.usage,
  );
}

/**
 * The one candidate `input` names by id, by label (a username) or by id prefix. Every way it
 * could name someone counts: when they name different candidates the input is ambiguous, so a
 * label chosen to look like another's id prefix can never capture that id's commands.
 */
export function pickOne(
  input: string,
  what: string,
  candidates: Candidate[],
  options: { unlistedWholeId?: boolean } = {},
): string {
  const lower = input.toLowerCase();
  const byId = PREFIX.test(input) ? candidates.filter((c) => c.id.startsWith(lower)) : [];
  const byLabel = candidates.filter((c) => c.label.toLowerCase() === lower);
  const matches = [...new Map([...byId, ...byLabel].map((c) => [c.id, c])).values()];
  if (matches.length === 1) return (matches[0] as Candidate).id;
  if (matches.length === 0) {
    if (options.unlistedWholeId && isWholeId(input)) return lower;
    throw new CliError(`no ${what} matches "${input}"`, EXIT.notFound);
  }
  const listed = matches.map((c) => `  ${c.id}  ${c.label}`).join('\n');
  throw new CliError(
    `"${input}" is ambiguous: it names ${matches.length} ${what}s (by id, id prefix or name):\n${listed}`,
    EXIT.usage,
  );
}

/** A token of the caller's, by whole id or unique prefix. */
export function resolveOwnToken(api: ApiClient, input: string): Promise<string> {
  return resolveId(input, 'token', async () =>
    (await api.listAll<{ id: string; name: string }>('/api/v1/tokens')).map((p) => ({
      id: p.id,
      label: p.name,
    })),
  );
}
