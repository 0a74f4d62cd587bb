/**
 * The delegated-exchange target (issue 21): the admin's bench PATs each allow one other user,
 * `bench-agent`, to act for the admin (`may_act`), and every exchange presents such a PAT as
 * `subject_token` and one of the agent's PATs as `actor_token` (docs/delegation.md).
 */
import { AUDIENCE, BENCH_PATS } from './tessera.js';

const AGENT_PATS = 16;

async function post(url: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Creates the agent, its PATs, and `count` subject PATs naming it in `may_act`; returns the bodies. */
export async function prepareDelegation(url: string, admin: string, count = BENCH_PATS): Promise<string[]> {
  const agent = await post(`${url}/api/v1/users`, admin, {
    username: 'bench-agent',
    entitlements: ['repo:read'],
  });
  const actors: string[] = [];
  for (let i = 0; i < AGENT_PATS; i++) {
    const pat = await post(`${url}/api/v1/users/${agent.id}/tokens`, admin, {
      name: `agent-${i}`,
      scopes: ['repo:read'],
    });
    actors.push(pat.token);
  }
  const subjects: string[] = [];
  for (let i = 0; i < count; i += 16) {
    const made = Array.from({ length: Math.min(16, count - i) }, (_, j) =>
      post(`${url}/api/v1/tokens`, admin, {
        name: `for-agent-${i + j}`,
        scopes: ['repo:read'],
        may_act: [{ user_id: agent.id, scopes: ['repo:read'] }],
      }),
    );
    subjects.push(...(await Promise.all(made)).map((pat) => pat.token as string));
  }
  return subjects.map((subject, i) =>
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      actor_token: actors[i % AGENT_PATS] as string,
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: AUDIENCE,
      scope: 'repo:read',
    }).toString(),
  );
}
