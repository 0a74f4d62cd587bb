/**
 * `tessera trust events`' table: an exchange names its DPoP key and who acted, as a token's
 * trail does (token-events.ts `delegationDetail`), and every line fits 100 columns.
 */
import { describe, expect, it } from '@jest/globals';
import { TABLE_WIDTH } from '../../../src/cli/table.js';
import { eventTable } from '../../../src/cli/token-events.js';
import { type PolicyEventView, policyEventTable } from '../../../src/cli/trust-view.js';

const NOW = new Date('2026-12-06T02:00:00Z');
const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
const ALICE = '0b7e4e6c-3f0a-4d5e-9d7b-1a2b3c4d5e6f';
const BOB = 'b0b0b0b0-3f0a-4d5e-9d7b-1a2b3c4d5e6f';

const exchange: PolicyEventView = {
  id: '7',
  time: '2026-12-06T02:00:00.000Z',
  action: 'token.exchanged',
  outcome: 'success',
  actor: null,
  ip: '127.0.0.1',
  user_agent: 'curl/8.11',
  client_id: 'tessera-cli',
  audience: 'https://api.example.com',
  scope: 'repo:read',
  jti: 'j1',
  reason: null,
  actor_chain: null,
  acted_for: null,
  dpop_jkt: JKT,
  user_id: ALICE,
  external: { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:a', jti: 'e1' },
  matched_claims: { repository_id: '123456' },
};

const rowOf = (table: string) => (table.split('\n')[1] as string).replace(/\s+/g, ' ');

describe('policyEventTable', () => {
  it("names a bound exchange's DPoP key by its first 8 characters, as token events does", () => {
    const table = policyEventTable([exchange], NOW);
    expect(rowOf(table)).toContain(`dpop ${JKT.slice(0, 8)}; https://api.example.com`);
    expect(rowOf(table)).not.toContain(JKT);
    expect(rowOf(eventTable([exchange], NOW))).toContain(`dpop ${JKT.slice(0, 8)}`);
  });

  it('names who acted, current actor first: a user by short id, a workload by its external sub', () => {
    const workload = { sub: 'agent-7', iss: 'https://ci.example.com', trust_policy_id: 'p' };
    const delegated = { ...exchange, dpop_jkt: null, actor_chain: [{ sub: BOB }, workload] };
    expect(rowOf(policyEventTable([delegated], NOW))).toContain(
      `acted by ${BOB.slice(0, 8)} for ${workload.sub}`,
    );
  });

  it('says neither for an unbound, undelegated exchange', () => {
    const plain = rowOf(policyEventTable([{ ...exchange, dpop_jkt: null }], NOW));
    expect(plain).not.toMatch(/dpop|acted/);
    expect(plain).toContain('https://api.example.com; repo:read');
  });

  it('fits 100 columns with a long subject, a long reason, a chain and a key; the cut keeps who acted', () => {
    const long = {
      ...exchange,
      outcome: 'failure' as const,
      reason: 'actor_not_permitted: not in the subject’s may_act',
      actor_chain: [{ sub: BOB }],
      external: {
        iss: 'https://ci.example.com',
        sub: `repo:acme/${'long-name-'.repeat(6)}:ref:main`,
        jti: 'e2',
      },
    };
    const table = policyEventTable([long, exchange], NOW);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
    expect(table).toContain('…');
    // Who comes before the long reason, so a cut keeps it.
    expect(table.split('\n')[1]).toContain(`acted by ${BOB.slice(0, 8)}; actor`);
  });
});
