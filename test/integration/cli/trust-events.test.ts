/**
 * `tessera trust events` over a real server and a loopback OIDC issuer: a DPoP-bound federated
 * exchange shows its key's thumbprint, and an actor that tried to act for the workload shows in
 * the chain, as `tessera token events` says them. Exchange rows are batched here (as in
 * production, `audit.exchangeFlushMs`): the trail must still show an exchange made just before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';
import { createPolicy, ID_TOKEN_TYPE } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AUD = 'https://tessera.test';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
let server: TestServer;
let issuer: TestIssuer;
let key: DpopKey;
let serviceUser: { id: string };

beforeAll(async () => {
  issuer = await startTestIssuer();
  // The longest batching window config allows: without a flush the row would still be waiting.
  server = await startTestServer({ configFile: { audit: { exchangeFlushMs: 1000 } } });
  serviceUser = (await server.createUserWithToken(uniqueName('deployer'), ['tessera:tokens'])).user;
  key = await dpopKey();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await issuer?.stop();
});

/** A policy of its own for a repository of its own: exactly one policy matches its tokens. */
async function newPolicy() {
  const name = uniqueName('deploy');
  const subject = `repo:acme/${name}:ref:refs/heads/main`;
  return {
    ...(await createPolicy(server, {
      name,
      issuer: issuer.url,
      audience: AUD,
      subject,
      user_id: serviceUser.id,
      scopes: ['tessera:tokens'],
    })),
    subject,
  };
}

async function federated(
  sub: string,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
) {
  const subjectToken = await issuer.mint(issuer.githubClaims({ aud: AUD, sub }));
  return server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: ID_TOKEN_TYPE,
      ...extra,
    },
    headers,
  );
}

const trustEvents = (id: string, ...options: string[]) =>
  runTessera(['trust', 'events', id, ...options], {
    TESSERA_URL: server.url,
    TESSERA_TOKEN: server.adminToken,
  });

describe('tessera trust events: DPoP and delegation facts of exchanges', () => {
  it("shows a bound exchange's thumbprint (short) at once, and none for an unbound one", async () => {
    const policy = await newPolicy();
    const iat = Math.floor(server.now().getTime() / 1000);
    const bound = await federated(
      policy.subject,
      {},
      { dpop: await dpopProof(key, { htu: `${server.url}/token`, iat }) },
    );
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');

    const json = (await trustEvents(policy.id, '--json')).json();
    expect(
      json.items.map((e: { action: string; dpop_jkt: string | null }) => [e.action, e.dpop_jkt]),
    ).toEqual([
      ['token.exchanged', key.jkt],
      ['trust_policy.created', null],
    ]);
    const table = await trustEvents(policy.id);
    expect(table.code).toBe(0);
    for (const line of table.lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(table.lines[1]).toMatch(/token\.exchanged\s+success\s/);
    expect(table.lines[1]).toContain(`dpop ${key.jkt.slice(0, 8)}`);
    expect(table.stdout).not.toContain(key.jkt);

    expect((await federated(policy.subject)).body.token_type).toBe('Bearer');
    const after = await trustEvents(policy.id);
    expect(after.lines[1]).toMatch(/token\.exchanged\s+success/);
    expect(after.lines[1]).not.toContain('dpop');
  });

  it('shows the actor chain of an actor that tried to act for the workload (refused: no may_act)', async () => {
    const policy = await newPolicy();
    const bob = await server.createUserWithToken(uniqueName('bob'), ['tessera:tokens']);
    const refused = await federated(policy.subject, { actor_token: bob.token, actor_token_type: AT });
    expect(refused.status).toBe(400);

    const json = (await trustEvents(policy.id, '--json')).json();
    expect(json.items[0]).toMatchObject({
      action: 'token.exchanged',
      outcome: 'failure',
      actor_chain: [{ sub: bob.user.id }],
      external: { sub: policy.subject },
    });
    expect(json.items[0].reason).toMatch(/^actor_not_permitted/);
    const table = await trustEvents(policy.id);
    for (const line of table.lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(table.lines[1]).toMatch(/token\.exchanged\s+failure\s/);
    expect(table.lines[1]).toContain(`acted by ${bob.user.id.slice(0, 8)}`);
  });
});
