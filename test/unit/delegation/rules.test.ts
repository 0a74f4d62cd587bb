/** The delegation rules, pure: consent, depth, narrowing, and a property over random chains. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { actorChain, readActClaim } from '../../../src/delegation/act-chain.js';
import { mayActSchema, readMayAct } from '../../../src/delegation/may-act.js';
import { type DelegationSubject, delegate, grantMayAct } from '../../../src/delegation/rules.js';
import { ExchangeDenied } from '../../../src/exchange/denial.js';
import { jwtLifetime } from '../../../src/exchange/jwt.js';
import { grantedScopes } from '../../../src/exchange/target.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const P = '00000000-0000-4000-8000-0000000000f1';
const Q = '00000000-0000-4000-8000-0000000000f2';

const user = (id: string) => ({
  principal: { kind: 'user' as const, userId: id },
  claim: { sub: id },
  maxLifetime: null,
});

describe('consent', () => {
  const subject: DelegationSubject = {
    mayAct: [{ user_id: B, scopes: ['repo:read'] }, { trust_policy_id: P }],
    heldScopes: ['repo:read', 'repo:write'],
    maxLifetime: 600,
  };

  it('refuses an actor the subject did not name, with the trail word actor_not_permitted', () => {
    const result = delegate(subject, user(C), 3);
    expect(result.granted).toBe(false);
    expect(!result.granted && result.reason).toMatch(/^actor_not_permitted/);
  });

  it('refuses a workload of another trust policy with the same external sub', () => {
    const other = {
      principal: { kind: 'trust_policy' as const, trustPolicyId: Q },
      claim: { sub: 'repo:acme/api', iss: 'https://ci.example', trust_policy_id: Q },
      maxLifetime: null,
    };
    expect(delegate(subject, other, 3).granted).toBe(false);
    expect(
      delegate(subject, { ...other, principal: { kind: 'trust_policy', trustPolicyId: P } }, 3).granted,
    ).toBe(true);
  });

  it('does not let a user id match a trust-policy entry of the same uuid', () => {
    expect(delegate({ ...subject, mayAct: [{ trust_policy_id: B }] }, user(B), 3).granted).toBe(false);
  });

  it('refuses every actor for a subject without may_act', () => {
    expect(delegate({ ...subject, mayAct: null }, user(B), 3).granted).toBe(false);
  });

  it("narrows to the entry's scopes and to the shorter lifetime", () => {
    const result = delegate(subject, { ...user(B), maxLifetime: 60 }, 3);
    expect(result).toEqual({ granted: true, act: { sub: B }, heldScopes: ['repo:read'], maxLifetime: 60 });
  });

  it('nests the previous act and caps the depth', () => {
    const deep = { ...subject, mayAct: [{ user_id: C }], act: { sub: B, act: { sub: A } } };
    const ok = delegate(deep, user(C), 3);
    expect(ok.granted && ok.act).toEqual({ sub: C, act: { sub: B, act: { sub: A } } });
    expect(delegate(deep, user(C), 2).granted).toBe(false);
  });
});

describe('may_act', () => {
  it('rejects a principal listed twice, unknown fields and non-uuids', () => {
    expect(mayActSchema.safeParse([{ user_id: B }, { user_id: B, scopes: ['x'] }]).success).toBe(false);
    expect(mayActSchema.safeParse([{ user_id: B, admin: true }]).success).toBe(false);
    expect(mayActSchema.safeParse([{ user_id: 'bob' }]).success).toBe(false);
    expect(mayActSchema.safeParse([{ user_id: B, trust_policy_id: P }]).success).toBe(false);
  });

  it('reads anything malformed as no consent', () => {
    expect(readMayAct('B')).toBeNull();
    expect(readMayAct([])).toBeNull();
    expect(readMayAct([{ user_id: B }])).toEqual([{ user_id: B }]);
  });

  it('grants a requested may_act only within the held one', () => {
    const held = [{ user_id: B, scopes: ['repo:read'] }, { user_id: C }];
    expect(grantMayAct([{ user_id: C, scopes: ['repo:write'] }], held)).toEqual({
      mayAct: [{ user_id: C, scopes: ['repo:write'] }],
    });
    expect(grantMayAct([{ user_id: B, scopes: ['repo:write'] }], held)).toHaveProperty('reason');
    expect(grantMayAct([{ user_id: B }], held)).toHaveProperty('reason');
    expect(grantMayAct([{ user_id: A }], held)).toHaveProperty('reason');
    expect(grantMayAct([{ user_id: B }], null)).toHaveProperty('reason');
    expect(grantMayAct(undefined, null)).toEqual({ mayAct: null });
  });
});

describe('act claims', () => {
  it('reads a nested act and lists the chain current first', () => {
    const act = readActClaim({ sub: C, act: { sub: B, iss: 'https://ci', trust_policy_id: P, extra: 1 } }, 5);
    expect(act).toEqual({ sub: C, act: { sub: B, iss: 'https://ci', trust_policy_id: P } });
    expect(actorChain(act === 'malformed' ? undefined : act).map((a) => a.sub)).toEqual([C, B]);
  });

  it('refuses a malformed or absurdly deep act', () => {
    expect(readActClaim({ act: { sub: B } }, 5)).toBe('malformed');
    expect(readActClaim('B', 5)).toBe('malformed');
    expect(readActClaim({ sub: A, act: { sub: B, act: { sub: C } } }, 2)).toBe('malformed');
  });
});

describe('property: a chain never widens scope nor extends lifetime', () => {
  const universe = ['a', 'b', 'c', 'd', 'e'];
  const scopes = fc.subarray(universe);
  const hop = fc.record({
    entryScopes: fc.option(fc.subarray(universe, { minLength: 1 }), { nil: undefined }),
    requested: fc.option(scopes, { nil: undefined }),
    actorLifetime: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
  });

  // Each hop is the grant's own steps: consent and narrowing (delegate), then the scopes and the
  // lifetime it issues (grantedScopes, jwtLifetime), whose JWT is the next hop's subject.
  it('final scope ⊆ every hop, final lifetime ≤ every hop, depth ≤ cap', () => {
    fc.assert(
      fc.property(
        scopes,
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(hop, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 3600 }),
        (s0, l0, hops, ttl) => {
          const resource = { audience: 'https://api.example.com', scopes: universe, tokenTtlSeconds: ttl };
          const maxDepth = 3;
          let subject: DelegationSubject = { mayAct: null, heldScopes: s0, maxLifetime: l0 };
          const seen: { scopes: readonly string[]; lifetime: number | null }[] = [
            { scopes: s0, lifetime: l0 },
          ];
          for (const [i, h] of hops.entries()) {
            const actorId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
            // The previous hop consented to this actor (with the entry's scopes), as a may_act request would.
            subject = {
              ...subject,
              mayAct: [{ user_id: actorId, ...(h.entryScopes ? { scopes: h.entryScopes } : {}) }],
            };
            const result = delegate(subject, { ...user(actorId), maxLifetime: h.actorLifetime }, maxDepth);
            if (!result.granted) {
              expect(i).toBe(maxDepth);
              break;
            }
            let granted: string[];
            try {
              granted = grantedScopes(h.requested, result.heldScopes, universe, resource);
            } catch (error) {
              // A request beyond what this hop holds (or nothing left to hold) is refused, not trimmed.
              expect(error).toBeInstanceOf(ExchangeDenied);
              const beyond = (h.requested ?? []).some((x) => !result.heldScopes.includes(x));
              expect(beyond || h.requested?.length === 0 || result.heldScopes.length === 0).toBe(true);
              break;
            }
            const lifetime = jwtLifetime(resource, result.maxLifetime);
            subject = { mayAct: null, heldScopes: granted, maxLifetime: lifetime, act: result.act };
            seen.push({ scopes: granted, lifetime });
            expect(actorChain(result.act)).toHaveLength(i + 1);
          }
          const last = seen[seen.length - 1] as (typeof seen)[number];
          for (const earlier of seen) {
            expect(last.scopes.every((x) => earlier.scopes.includes(x))).toBe(true);
            if (earlier.lifetime !== null) expect(last.lifetime).not.toBeNull();
            if (earlier.lifetime !== null)
              expect(last.lifetime as number).toBeLessThanOrEqual(earlier.lifetime);
          }
        },
      ),
    );
  });
});
