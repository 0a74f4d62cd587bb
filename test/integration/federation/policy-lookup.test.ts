/**
 * Trust policies by issuer, batched: lookups of one turn share one statement and each caller
 * gets only its issuer's policies; a change committed before a lookup is seen by it (no cache);
 * a disabled user's policies come back without entitlements.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IssuerPolicyLookup, MAX_ISSUERS } from '../../../src/federation/policy-lookup.js';
import { deleteTrustPolicy, insertTrustPolicy } from '../../../src/federation/repository.js';
import { insertUser, setUserDisabled } from '../../../src/users/repository.js';
import { counting } from '../../helpers/counting.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
let userId: string;

async function newUser() {
  const id = randomUUID();
  await insertUser(database.db, {
    id,
    username: `lookup-${id}`,
    entitlements: ['repo:read'],
    service: true,
    created_at: new Date(),
  });
  return id;
}

async function newPolicy(issuer: string, user = userId) {
  const policy = await insertTrustPolicy(database.db, {
    id: randomUUID(),
    name: `p-${randomUUID()}`,
    issuer,
    audience: 'https://tessera.test',
    subject: 'repo:*',
    claims: {},
    user_id: user,
    scopes: ['repo:read'],
    audiences: ['https://api.example.com'],
    max_ttl_seconds: 900,
    single_use: false,
    require_dpop: false,
    created_at: new Date(),
    created_by: null,
  });
  if (!policy) throw new Error('policy insert failed');
  return policy;
}

beforeAll(async () => {
  database = await createTestDatabase();
  userId = await newUser();
});
afterAll(() => database.dispose());

const issuer = () => `https://issuer-${randomUUID()}.example`;

describe('IssuerPolicyLookup', () => {
  it('answers the lookups of one turn with one statement, each with its own issuer’s policies', async () => {
    const [a, b, none] = [issuer(), issuer(), issuer()];
    const [a1, a2, b1] = [await newPolicy(a), await newPolicy(a), await newPolicy(b)];
    const db = counting(database.db);
    const lookup = new IssuerPolicyLookup(db);
    const [forA, forB, forNone, forAAgain] = await Promise.all([
      lookup.find(a),
      lookup.find(b),
      lookup.find(none),
      lookup.find(a),
    ]);
    expect(db.statements).toBe(1);
    expect(forA.map((p) => p.id).sort()).toEqual([a1.id, a2.id].sort());
    expect(forAAgain.map((p) => p.id).sort()).toEqual([a1.id, a2.id].sort());
    expect(forB.map((p) => p.id)).toEqual([b1.id]);
    expect(forNone).toEqual([]);
    expect(forA[0]?.user_entitlements).toEqual(['repo:read']);
  });

  it('splits more distinct issuers than one statement takes', async () => {
    const issuers = Array.from({ length: MAX_ISSUERS + 1 }, issuer);
    const db = counting(database.db);
    const found = await Promise.all(issuers.map((i) => new IssuerPolicyLookup(db).find(i)));
    expect(found.every((policies) => policies.length === 0)).toBe(true);
    const shared = new IssuerPolicyLookup(db);
    db.statements = 0;
    await Promise.all(issuers.map((i) => shared.find(i)));
    expect(db.statements).toBe(2);
  });

  it('caches nothing: a deleted policy and a disabled user are seen by the next lookup', async () => {
    const owner = await newUser();
    const i = issuer();
    const policy = await newPolicy(i, owner);
    const lookup = new IssuerPolicyLookup(database.db);
    expect((await lookup.find(i))[0]?.user_entitlements).toEqual(['repo:read']);
    await setUserDisabled(database.db, owner, new Date());
    expect((await lookup.find(i))[0]?.user_entitlements).toBeNull();
    await deleteTrustPolicy(database.db, policy.id);
    expect(await lookup.find(i)).toEqual([]);
  });

  it('a failed statement rejects every caller of its batch', async () => {
    // A real database, closed: every statement fails.
    const closed = await createTestDatabase({ migrate: false });
    await closed.dispose();
    const lookup = new IssuerPolicyLookup(closed.db);
    const results = await Promise.allSettled([lookup.find(issuer()), lookup.find(issuer())]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
