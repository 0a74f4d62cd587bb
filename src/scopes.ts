/** Scope names and the built-in catalogue (docs/design.md, "Configuration"). */

/** Manage one's own PATs. */
export const TOKENS_SCOPE = 'tessera:tokens';
/** Users, every user's PATs, stats. */
export const ADMIN_SCOPE = 'tessera:admin';

/** Always present, whatever the config file says. */
export const BUILTIN_SCOPES: Record<string, string> = {
  [TOKENS_SCOPE]: "Manage one's own personal access tokens",
  [ADMIN_SCOPE]: "Administer users and every user's tokens",
};

/** Used when the config file names no catalogue. */
export const DEFAULT_SCOPE_CATALOGUE: Record<string, string> = {
  'repo:read': 'Read repository data',
  'repo:write': 'Push to repositories',
  'repo:admin': 'Administer repositories',
  'user:read': 'Read user profiles',
  'user:write': 'Update user profiles',
};

/** The scopes in `requested` that are not in `allowed`, in request order. */
export function scopesOutside(requested: readonly string[], allowed: readonly string[]): string[] {
  const allow = new Set(allowed);
  return requested.filter((scope) => !allow.has(scope));
}

/** `a ∩ b`, keeping `a`'s order. */
export function intersectScopes(a: readonly string[], b: readonly string[]): string[] {
  const other = new Set(b);
  return a.filter((scope) => other.has(scope));
}
