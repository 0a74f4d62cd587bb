/**
 * Staged key rotation (pure): a new key is published as `next` before it ever signs, so
 * verifiers that cache the JWKS already know it when it becomes `current`; the old `current`
 * becomes `retired` and stays published until every JWT it signed has expired and every
 * cached copy of the JWKS that lacked its successor has lapsed.
 */
import type { KeyRecord } from './key-file.js';

export interface RotationPlan {
  /** Records to write (changed or new). */
  write: KeyRecord[];
  /** Kids whose files to delete (retired past their retention). */
  remove: string[];
}

/** next -> current, current -> retired, and `fresh` becomes the new next. */
export function rotateKeys(
  keys: KeyRecord[],
  fresh: KeyRecord,
  now: Date,
  retentionSeconds: number,
): RotationPlan {
  const at = now.toISOString();
  const write: KeyRecord[] = [];
  const next = keys.find((k) => k.state === 'next');
  for (const key of keys) {
    if (key.state === 'current' && next) write.push({ ...key, state: 'retired', retired_at: at });
  }
  if (next) write.push({ ...next, state: 'current', activated_at: at });
  // Without a staged key there is nothing safe to promote: the fresh key is published first.
  write.push({ ...fresh, state: 'next' });
  const remove = keys
    .filter((k) => k.state === 'retired' && isLapsed(k, now, retentionSeconds))
    .map((k) => k.kid);
  return { write, remove };
}

/** A retired key past its retention no longer needs publishing. */
export function isLapsed(key: KeyRecord, now: Date, retentionSeconds: number): boolean {
  if (key.state !== 'retired' || !key.retired_at) return false;
  return new Date(key.retired_at).getTime() + retentionSeconds * 1000 <= now.getTime();
}

/** The key that signs: the most recently activated `current` one. */
export function signingKey(keys: KeyRecord[]): KeyRecord | undefined {
  return keys
    .filter((k) => k.state === 'current')
    .sort((a, b) => (b.activated_at ?? b.created_at).localeCompare(a.activated_at ?? a.created_at))[0];
}

/** The keys the JWKS publishes: every key except retired ones past their retention. */
export function publishedKeys(keys: KeyRecord[], now: Date, retentionSeconds: number): KeyRecord[] {
  return keys.filter((k) => !isLapsed(k, now, retentionSeconds));
}
