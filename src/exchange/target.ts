/** Which resource the JWT is for (RFC 8693 §2.1 audience/resource) and which scopes it carries. */
import type { ClientConfig, Resource } from '../config.js';
import { intersectScopes, scopesOutside } from '../scopes.js';
import { invalidScope, invalidTarget } from './denial.js';

/**
 * Every target must name the same configured resource (by audience); none means the default.
 * A client configured with `audiences` may target only those.
 */
export function resolveResource(
  targets: string[],
  resources: Resource[],
  defaultAudience: string,
  client: ClientConfig | undefined,
): Resource {
  const wanted = targets.length > 0 ? targets : [defaultAudience];
  const found = wanted.map((target) => resources.find((r) => r.audience === target));
  const resource = found[0];
  if (!resource || found.some((r) => r !== resource)) {
    const reason = found.includes(undefined)
      ? 'unknown audience or resource'
      : 'more than one resource requested';
    throw invalidTarget('the requested audience or resource is not available', reason);
  }
  if (client?.audiences && !client.audiences.includes(resource.audience)) {
    throw invalidTarget('the requested audience or resource is not available', 'client may not target it');
  }
  return resource;
}

/**
 * The scopes granted: `requested` when it is within PAT scopes ∩ current entitlements ∩
 * resource scopes, else `invalid_scope`; without a request, that whole intersection.
 */
export function grantedScopes(
  requested: string[] | undefined,
  patScopes: string[],
  entitlements: string[],
  resource: Resource,
): string[] {
  const allowed = intersectScopes(intersectScopes(patScopes, entitlements), resource.scopes);
  if (requested === undefined) {
    if (allowed.length === 0) throw invalidScope('no scope of this token applies to the resource', '');
    return allowed;
  }
  const outside = scopesOutside(requested, allowed);
  if (requested.length === 0 || outside.length > 0) {
    // The answer names only the refused scopes the resource publishes: a requested value is the
    // caller's text, and may be a secret pasted into the wrong field (a PAT is never echoed).
    const named = outside.filter((scope) => resource.scopes.includes(scope));
    throw invalidScope('requested scope exceeds what the subject token allows', named.join(' '));
  }
  return [...new Set(requested)];
}
