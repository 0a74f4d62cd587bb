/**
 * Every revocation is revoke-and-audit (pat/revoke.ts): a user's deletion and the inactivity
 * sweep audit each token as an owner's revocation does, naming it, so the `token.revoked`
 * webhook payload says which token (name, hint) whoever revoked it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat, hashPat, patHint } from '../../../src/pat/format.js';
import { revokeInactivePats } from '../../../src/pat/inactivity.js';
import { insertPat } from '../../../src/pat/repository.js';
import { insertUser } from '../../../src/users/repository.js';
import { deleteUser } from '../../../src/users/service.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
const now = new Date('2026-12-05T12:00:00Z');
const DAY = 86_400_000;
const admin = { userId: null, credentialScopes: null, meta: { ip: '192.0.2.1', userAgent: 'test' } };

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.query(
    `INSERT INTO webhook_endpoints (id, url, events, secret, created_at)
     VALUES ($1, 'https://hooks.example/x', '{token.revoked}', 's', $2)`,
    [randomUUID(), now],
  );
});
afterAll(() => database.dispose());

async function userWithPats(names: string[], createdAt = now) {
  const user = await insertUser(database.db, {
    id: randomUUID(),
    username: `u-${randomUUID().slice(0, 8)}`,
    entitlements: ['tessera:tokens'],
    service: false,
    created_at: createdAt,
  });
  const pats = [];
  for (const name of names) {
    const token = generatePat('tsr');
    pats.push(
      await insertPat(database.db, {
        id: randomUUID(),
        userId: user?.id as string,
        name,
        tokenHash: hashPat(token),
        hint: patHint('tsr', token),
        scopes: ['tessera:tokens'],
        createdAt,
        createdBy: null,
        expiresAt: null,
        rotatedFrom: null,
      }),
    );
  }
  return { userId: user?.id as string, pats };
}

/** The `token.revoked` payloads queued for these PATs. */
async function revokedPayloads(patIds: string[]) {
  const { rows } = await database.db.query<{ payload: { data: Record<string, unknown> } }>(
    `SELECT payload FROM webhook_outbox WHERE event_type = 'token.revoked' AND payload->'data'->>'token_id' = ANY($1)`,
    [patIds],
  );
  return rows.map((row) => row.payload.data);
}

describe('revokePats: one revoke-and-audit for every path', () => {
  it("a user's deletion audits each of their tokens by name, once", async () => {
    const { userId, pats } = await userWithPats(['ci', 'laptop']);
    await deleteUser({ db: database.db, clock: () => now, scopes: {} }, userId, admin);
    const payloads = await revokedPayloads(pats.map((pat) => pat.id));
    expect(payloads.map((data) => data.token_name).sort()).toEqual(['ci', 'laptop']);
    for (const data of payloads) expect(data).toMatchObject({ reason: 'user deleted', user_id: userId });
  });

  it('the inactivity sweep audits each token it revokes by name, once per token across sweeps', async () => {
    const { pats } = await userWithPats(['idle'], new Date(now.getTime() - 40 * DAY));
    const first = await revokeInactivePats(database.db, now, 30);
    expect(first).toContain(pats[0]?.id);
    expect(await revokeInactivePats(database.db, now, 30)).toEqual([]);
    const payloads = await revokedPayloads([pats[0]?.id as string]);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({ token_name: 'idle', reason: 'inactive: unused for 30 days' });
  });
});
