/**
 * The federated-exchange target: a loopback OIDC issuer (the tests' own, test/helpers/oidc-issuer.ts)
 * trusted by one policy, and a set of GitHub-Actions-shaped ID tokens to exchange, so its cost
 * sits next to the PAT exchange's in the same run.
 */
import { startTestIssuer, type TestIssuer } from '../../test/helpers/oidc-issuer.js';
import { AUDIENCE } from './tessera.js';

const TOKEN_AUDIENCE = 'https://tessera.bench';
/** Tokens cycled through, like the PATs: distinct jti and run ids, as a CI fleet's would be. */
const BENCH_TOKENS = 256;

/** An RFC 8693 exchange of an external ID token for the bench resource with scope repo:read. */
export const federatedExchangeForm = (idToken: string) =>
  new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: idToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    audience: AUDIENCE,
    scope: 'repo:read',
  }).toString();

async function adminId(url: string, admin: string): Promise<string> {
  const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${admin}` } });
  return ((await me.json()) as { id: string }).id;
}

/** Starts the issuer, trusts it in Tessera (as `admin`), and mints the tokens; `stop` ends the issuer. */
export async function prepareFederation(
  url: string,
  admin: string,
): Promise<{ bodies: string[]; issuer: TestIssuer }> {
  const issuer = await startTestIssuer({ alg: 'RS256' });
  const created = await fetch(`${url}/api/v1/admin/trust-policies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench-deploy',
      issuer: issuer.url,
      audience: TOKEN_AUDIENCE,
      subject: 'repo:acme/api:ref:refs/heads/*',
      claims: { repository_id: '123456', repository_owner_id: '42' },
      user_id: await adminId(url, admin),
      scopes: ['repo:read'],
      audiences: [AUDIENCE],
    }),
  });
  if (created.status !== 201) throw new Error(`trust policy: ${created.status} ${await created.text()}`);
  const tokens = await Promise.all(
    Array.from({ length: BENCH_TOKENS }, (_, i) =>
      issuer.mint(issuer.githubClaims({ aud: TOKEN_AUDIENCE, run_id: String(i) }), { lifetime: 3600 }),
    ),
  );
  return { bodies: tokens.map(federatedExchangeForm), issuer };
}
