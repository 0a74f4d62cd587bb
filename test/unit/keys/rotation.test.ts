import { beforeAll, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint } from 'jose';
import { generateKeyRecord } from '../../../src/keys/generate.js';
import type { KeyRecord, KeyState, SigningAlg } from '../../../src/keys/key-file.js';
import {
  isLapsed,
  publishedKeys,
  type RotationPlan,
  rotateKeys,
  signingKey,
} from '../../../src/keys/rotation.js';

const RETENTION = 1200;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

/** The key set after `plan` is carried out on `keys` (what rotateKeyDirectory writes). */
function apply(keys: KeyRecord[], plan: RotationPlan): KeyRecord[] {
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  for (const key of plan.write) byKid.set(key.kid, key);
  for (const kid of plan.remove) byKid.delete(kid);
  return [...byKid.values()];
}

const find = (keys: KeyRecord[], kid: string) => {
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new Error(`no key ${kid} in ${keys.map((k) => k.kid).join(', ')}`);
  return key;
};
const kidsIn = (keys: KeyRecord[], state: KeyState) =>
  keys
    .filter((k) => k.state === state)
    .map((k) => k.kid)
    .sort();

/** A fresh key as `rotateKeyDirectory` makes it, then moved into `state` for the fixture. */
async function keyIn(state: KeyState, changes: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  return { ...(await generateKeyRecord('ES256', state, T0)), ...changes };
}

describe('generateKeyRecord', () => {
  it.each<SigningAlg>(['ES256', 'EdDSA', 'RS256'])(
    '%s: a private JWK whose kid is its RFC 7638 thumbprint',
    async (alg) => {
      const key = await generateKeyRecord(alg, 'next', T0);
      expect(key).toMatchObject({ alg, state: 'next', created_at: T0.toISOString() });
      expect(key.activated_at).toBeUndefined();
      expect(key.jwk).toMatchObject({ kid: key.kid, alg, use: 'sig' });
      expect(typeof key.jwk.d).toBe('string');
      expect(key.kid).toBe(await calculateJwkThumbprint(key.jwk));
    },
  );

  it('a key created as current is activated at once', async () => {
    const key = await generateKeyRecord('ES256', 'current', T0);
    expect(key.activated_at).toBe(T0.toISOString());
  });
});

describe('rotateKeys', () => {
  let current: KeyRecord;
  let next: KeyRecord;
  let fresh: KeyRecord;
  beforeAll(async () => {
    current = await keyIn('current', { activated_at: T0.toISOString() });
    next = await keyIn('next');
    fresh = await keyIn('next');
  });

  it('promotes next to current, retires current and stages the fresh key as next', () => {
    const now = at(T0, 3600);
    const plan = rotateKeys([current, next], fresh, now, RETENTION);
    expect(plan.remove).toEqual([]);
    const after = apply([current, next], plan);
    expect(after).toHaveLength(3);

    const promoted = find(after, next.kid);
    expect(promoted.state).toBe('current');
    expect(promoted.activated_at).toBe(now.toISOString());
    expect(promoted.retired_at).toBeUndefined();

    const retired = find(after, current.kid);
    expect(retired.state).toBe('retired');
    expect(retired.retired_at).toBe(now.toISOString());
    expect(retired.activated_at).toBe(current.activated_at);

    const staged = find(after, fresh.kid);
    expect(staged.state).toBe('next');
    expect(staged.activated_at).toBeUndefined();
    // The private key material travels with each record unchanged.
    expect(promoted.jwk).toEqual(next.jwk);
    expect(retired.jwk).toEqual(current.jwk);
  });

  it('hands signing to the key that was already published as next', () => {
    const before = [current, next];
    expect(publishedKeys(before, T0, RETENTION).map((k) => k.kid)).toContain(next.kid);
    expect(signingKey(before)?.kid).toBe(current.kid);

    const now = at(T0, 60);
    const after = apply(before, rotateKeys(before, fresh, now, RETENTION));
    expect(signingKey(after)?.kid).toBe(next.kid);
    // The fresh key is published, but does not sign until the next rotation.
    expect(
      publishedKeys(after, now, RETENTION)
        .map((k) => k.kid)
        .sort(),
    ).toEqual([current.kid, next.kid, fresh.kid].sort());
    expect(signingKey(after)?.kid).not.toBe(fresh.kid);
  });

  it('without a next key, keeps the current key signing and stages the fresh one', () => {
    const now = at(T0, 60);
    const plan = rotateKeys([current], fresh, now, RETENTION);
    const after = apply([current], plan);
    expect(find(after, current.kid)).toEqual(current);
    expect(find(after, fresh.kid).state).toBe('next');
    expect(kidsIn(after, 'retired')).toEqual([]);
    expect(signingKey(after)?.kid).toBe(current.kid);
    expect(publishedKeys(after, now, RETENTION).map((k) => k.kid)).toContain(fresh.kid);
  });

  it('does not change the records it is given', () => {
    const keys = [current, next];
    const snapshot = structuredClone(keys);
    rotateKeys(keys, fresh, at(T0, 60), RETENTION);
    expect(keys).toEqual(snapshot);
  });

  it('two rotations in a row: both older keys stay published while in retention', async () => {
    const second = await keyIn('next');
    const first = apply([current, next], rotateKeys([current, next], fresh, at(T0, 60), RETENTION));
    const now = at(T0, 120);
    const after = apply(first, rotateKeys(first, second, now, RETENTION));
    expect(kidsIn(after, 'retired')).toEqual([current.kid, next.kid].sort());
    expect(kidsIn(after, 'current')).toEqual([fresh.kid]);
    expect(kidsIn(after, 'next')).toEqual([second.kid]);
    expect(signingKey(after)?.kid).toBe(fresh.kid);
    expect(publishedKeys(after, now, RETENTION)).toHaveLength(4);
  });

  it('deletes retired keys past their retention and keeps those still within it', async () => {
    const now = at(T0, 10 * RETENTION);
    const lapsed = await keyIn('retired', { retired_at: at(now, -RETENTION - 1).toISOString() });
    const recent = await keyIn('retired', { retired_at: at(now, -RETENTION + 1).toISOString() });
    const keys = [lapsed, recent, current, next];
    const plan = rotateKeys(keys, fresh, now, RETENTION);
    expect(plan.remove).toEqual([lapsed.kid]);
    const after = apply(keys, plan);
    expect(after.map((k) => k.kid)).not.toContain(lapsed.kid);
    expect(find(after, recent.kid).state).toBe('retired');
    // The key retired by this very rotation is not deleted by it.
    expect(find(after, current.kid).state).toBe('retired');
  });
});

describe('isLapsed and publishedKeys', () => {
  let retired: KeyRecord;
  let current: KeyRecord;
  let next: KeyRecord;
  beforeAll(async () => {
    retired = await keyIn('retired', { activated_at: T0.toISOString(), retired_at: T0.toISOString() });
    current = await keyIn('current', { activated_at: T0.toISOString() });
    next = await keyIn('next');
  });

  it('a retired key stays published until its retention has passed', () => {
    for (const seconds of [0, 1, RETENTION / 2, RETENTION - 1]) {
      expect(isLapsed(retired, at(T0, seconds), RETENTION)).toBe(false);
      expect(publishedKeys([retired, current, next], at(T0, seconds), RETENTION)).toHaveLength(3);
    }
    expect(isLapsed(retired, at(T0, RETENTION - 0.001), RETENTION)).toBe(false);
  });

  it('a retired key past its retention is dropped from the published set', () => {
    const later = at(T0, RETENTION + 1);
    expect(isLapsed(retired, later, RETENTION)).toBe(true);
    expect(
      publishedKeys([retired, current, next], later, RETENTION)
        .map((k) => k.kid)
        .sort(),
    ).toEqual([current.kid, next.kid].sort());
  });

  it('the retention is measured from retirement, not from creation or activation', async () => {
    const oldKey = await keyIn('retired', {
      created_at: at(T0, -100 * RETENTION).toISOString(),
      activated_at: at(T0, -50 * RETENTION).toISOString(),
      retired_at: T0.toISOString(),
    });
    expect(isLapsed(oldKey, at(T0, RETENTION - 1), RETENTION)).toBe(false);
  });

  it('current and next keys never lapse, however old', () => {
    const muchLater = at(T0, 1000 * RETENTION);
    expect(isLapsed(current, muchLater, RETENTION)).toBe(false);
    expect(isLapsed(next, muchLater, RETENTION)).toBe(false);
    expect(publishedKeys([current, next], muchLater, RETENTION)).toHaveLength(2);
  });
});

describe('signingKey', () => {
  it('picks the current key, never a next or retired one', async () => {
    const keys = [
      await keyIn('next'),
      await keyIn('retired', { retired_at: T0.toISOString(), activated_at: at(T0, 10).toISOString() }),
      await keyIn('current', { activated_at: T0.toISOString() }),
    ];
    expect(signingKey(keys)?.kid).toBe(keys[2]?.kid);
  });

  it('of two current keys, picks the most recently activated', async () => {
    const older = await keyIn('current', { activated_at: T0.toISOString() });
    const newer = await keyIn('current', { activated_at: at(T0, 5).toISOString() });
    expect(signingKey([newer, older])?.kid).toBe(newer.kid);
    expect(signingKey([older, newer])?.kid).toBe(newer.kid);
  });

  it('is undefined when no key is current', async () => {
    expect(signingKey([await keyIn('next')])).toBeUndefined();
    expect(signingKey([])).toBeUndefined();
  });
});
