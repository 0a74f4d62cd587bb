import { describe, expect, it } from '@jest/globals';
import type { AuditRow } from '../../../src/audit/trail.js';
import {
  delegationText,
  idsOf,
  type Named,
  outcomeText,
  reasonParts,
} from '../../../src/console/event-text.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const POLICY = '33333333-3333-4333-8333-333333333333';
const names = new Map<string, Named>([
  [ALICE, { name: 'alice', kind: 'user' }],
  [BOB, { name: 'bob', kind: 'user' }],
  [POLICY, { name: 'deploy-from-main', kind: 'trust_policy' }],
]);

const row = (fields: Partial<AuditRow>): AuditRow => ({
  id: '1',
  occurred_at: new Date(0),
  action: 'token.exchanged',
  outcome: 'success',
  actor_user_id: null,
  actor_username: null,
  ip: null,
  user_agent: null,
  client_id: null,
  audience: null,
  scope: null,
  jti: null,
  reason: null,
  actor_chain: null,
  acted_for: null,
  ...fields,
});

describe('outcomeText', () => {
  it('reads changes by their verb and decisions as granted or denied', () => {
    expect(outcomeText(row({ action: 'pat.created' }))).toBe('created');
    expect(outcomeText(row({ action: 'pat.restored' }))).toBe('restored');
    expect(outcomeText(row({ action: 'token.exchanged' }))).toBe('granted');
    expect(outcomeText(row({ outcome: 'failure', reason: 'token revoked' }))).toBe('denied (token revoked)');
  });
});

describe('delegationText', () => {
  it('names the actor chain on the subject page, current actor first', () => {
    const chain = {
      sub: BOB,
      act: { sub: 'repo:acme/api:ref:refs/heads/main', iss: 'https://ci', trust_policy_id: POLICY },
    };
    expect(delegationText(row({ actor_chain: chain }), names, 'you')).toBe(
      'acted for you by bob, on behalf of repo:acme/api:ref:refs/heads/main (trust policy deploy-from-main)',
    );
  });

  it('says for whom on the actor page, and nothing for a plain exchange', () => {
    expect(delegationText(row({ acted_for: ALICE, actor_chain: { sub: BOB } }), names, 'you')).toBe(
      'acted for alice',
    );
    expect(delegationText(row({}), names, 'you')).toBeNull();
    // A chain that does not parse is not shown as a delegation.
    expect(delegationText(row({ actor_chain: { nope: 1 } }), names, 'you')).toBeNull();
  });
});

describe('ids and reasons', () => {
  it('collects every id a row mentions and splits a reason around them', () => {
    const r = row({
      reason: `may_act: user ${ALICE.toUpperCase()}`,
      actor_chain: { sub: BOB },
      acted_for: ALICE,
    });
    expect(
      idsOf(r)
        .map((id) => id.toLowerCase())
        .sort(),
    ).toEqual([ALICE, ALICE, BOB].sort());
    expect(reasonParts(`replaced by ${BOB} today`)).toEqual([
      { text: 'replaced by ' },
      { id: BOB },
      { text: ' today' },
    ]);
  });
});
