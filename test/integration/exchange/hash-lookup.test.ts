import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queryable } from '../../../src/db/queryable.js';
import { generatePat, hashPat } from '../../../src/pat/format.js';
import { MAX_BATCH, PatHashLookup } from '../../../src/pat/hash-lookup.js';
import { type PatRecord, unusableReason } from '../../../src/pat/record.js';
import { insertPat, markPatRevoked } from '../../../src/pat/repository.js';
import { insertUser } from '../../../src/users/repository.js';
import { counting } from '../../helpers/counting.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
let userId: string;

async function newPat(scopes = ['repo:read'], expiresAt: Date | null = null) {
  const token = generatePat('tsr');
  const row = await insertPat(database.db, {
    id: randomUUID(),
    userId,
    name: 'lookup',
    tokenHash: hashPat(token),
    hint: 'tsr_...',
    scopes,
    createdAt: new Date(),
    createdBy: userId,
    expiresAt,
    rotatedFrom: null,
  });
  return { token, id: row.id };
}

beforeAll(async () => {
  database = await createTestDatabase();
  userId = randomUUID();
  await insertUser(database.db, {
    id: userId,
    username: `lookup-${userId}`,
    entitlements: ['repo:read', 'repo:write'],
    service: false,
    created_at: new Date(),
  });
});
afterAll(() => database.dispose());

describe('PAT lookup by hash', () => {
  it('answers lookups made in the same turn with one statement, each with its own PAT', async () => {
    const pats = await Promise.all([newPat(['repo:read']), newPat(['repo:write']), newPat()]);
    const db = counting(database.db);
    const lookup = new PatHashLookup(db);
    const unknown = hashPat(generatePat('tsr'));
    const [a, b, c, missing, again] = await Promise.all([
      ...pats.map((p) => lookup.find(hashPat(p.token))),
      lookup.find(unknown),
      lookup.find(hashPat(pats[0]?.token as string)),
    ]);
    expect(db.statements).toBe(1);
    expect(a?.pat.id).toBe(pats[0]?.id);
    expect(a?.pat.scopes).toEqual(['repo:read']);
    expect(b?.pat.id).toBe(pats[1]?.id);
    expect(b?.pat.scopes).toEqual(['repo:write']);
    expect(c?.pat.id).toBe(pats[2]?.id);
    expect(a?.user.id).toBe(userId);
    expect(a?.user.entitlements).toEqual(['repo:read', 'repo:write']);
    expect(missing).toBeNull();
    // The same PAT asked for twice in one batch: both callers get it, as separate objects.
    expect(again?.pat.id).toBe(pats[0]?.id);
    expect(again).not.toBe(a);
  });

  it(`splits more than ${MAX_BATCH} lookups over several statements and answers all`, async () => {
    const { token, id } = await newPat();
    const db = counting(database.db);
    const lookup = new PatHashLookup(db);
    const count = MAX_BATCH * 2 + 1;
    const found = await Promise.all(Array.from({ length: count }, () => lookup.find(hashPat(token))));
    expect(db.statements).toBe(3);
    expect(found.every((record) => record?.pat.id === id)).toBe(true);
  });

  it('caches nothing: a revocation committed between two lookups is seen by the second', async () => {
    const { token, id } = await newPat();
    const db = counting(database.db);
    const lookup = new PatHashLookup(db);
    const before = (await lookup.find(hashPat(token))) as PatRecord;
    expect(unusableReason(before, new Date())).toBeNull();
    await markPatRevoked(database.db, id, { at: new Date(), by: userId, kind: 'admin', reason: 'test' });
    const after = (await lookup.find(hashPat(token))) as PatRecord;
    expect(db.statements).toBe(2);
    expect(after.pat.revoked_at).toBeInstanceOf(Date);
    expect(unusableReason(after, new Date())).toBe('token revoked');
  });

  it('rejects every lookup of a batch whose statement fails, and recovers for the next', async () => {
    const { token, id } = await newPat();
    let fail = true;
    const flaky: Queryable = {
      query: (sql, params, name) =>
        fail ? Promise.reject(new Error('connection lost')) : database.db.query(sql, params, name),
      exec: (sql) => database.db.exec(sql),
    };
    const lookup = new PatHashLookup(flaky);
    const results = await Promise.allSettled([lookup.find(hashPat(token)), lookup.find(hashPat(token))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await lookup.find(hashPat(token)))?.pat.id).toBe(id);
  });
});

describe('unusableReason', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const record = (pat: Partial<PatRecord['pat']>, user: Partial<PatRecord['user']> = {}): PatRecord => ({
    pat: { id: 'p', scopes: [], expires_at: null, revoked_at: null, ...pat },
    user: {
      id: 'u',
      username: 'u',
      entitlements: [],
      service: false,
      created_at: now,
      disabled_at: null,
      deleted_at: null,
      ...user,
    },
  });

  it('is null for a live PAT of a live user, with or without expiry', () => {
    expect(unusableReason(record({}), now)).toBeNull();
    expect(unusableReason(record({ expires_at: new Date(now.getTime() + 1000) }), now)).toBeNull();
  });

  it('names expiry at the exact instant, then revocation, then the owner, owner first', () => {
    expect(unusableReason(record({ expires_at: now }), now)).toBe('token expired');
    expect(unusableReason(record({ expires_at: now, revoked_at: now }), now)).toBe('token revoked');
    expect(unusableReason(record({ revoked_at: now }, { disabled_at: now }), now)).toBe('user disabled');
    expect(unusableReason(record({ revoked_at: now }, { disabled_at: now, deleted_at: now }), now)).toBe(
      'user deleted',
    );
  });
});
