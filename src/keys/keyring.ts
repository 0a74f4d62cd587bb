/**
 * The keys an instance uses: loaded from the keys directory, created on first start. Several
 * instances may share one directory; a lock file makes first-start generation and rotation
 * happen once, and every read of the directory holds it too: generation and rotation write
 * several files, and a reader between two of those writes would see half a key set (a
 * `current` without its `next`, or no `current` at all).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, keyRetentionSeconds } from '../config.js';
import { generateKeyRecord } from './generate.js';
import {
  type KeyRecord,
  protectKeysDirectory,
  readKeyFiles,
  removeKeyFile,
  type SigningAlg,
  writeKeyFile,
} from './key-file.js';
import { publishedKeys, rotateKeys, signingKey } from './rotation.js';

export interface KeyRing {
  /** Signs every new JWT. */
  signing: KeyRecord;
  /** Served in the JWKS (as public keys): next, current, and retired keys still in retention. */
  published: KeyRecord[];
  /** Changes whenever the set of keys or their states change. */
  fingerprint: string;
  /** Loose file modes tolerated by `signing.allowLoosePermissions`: log them. */
  warnings: string[];
}

export interface KeyPolicy {
  dir: string;
  alg: SigningAlg;
  /** How long a retired key stays published: longest JWT lifetime + JWKS cache lifetime. */
  retentionSeconds: number;
  /** `signing.allowLoosePermissions`: warn about group/world-accessible keys instead of refusing. */
  allowLoosePermissions: boolean;
}

export function keyPolicyFor(config: Config): KeyPolicy {
  return {
    dir: config.keysDir,
    alg: config.signing.alg,
    retentionSeconds: keyRetentionSeconds(config),
    allowLoosePermissions: config.signing.allowLoosePermissions,
  };
}

/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 15_000;
/** Waiting for a live holder: the work under the lock takes milliseconds, so this is generous. */
const LOCK_WAIT_MS = STALE_LOCK_MS + 5_000;
/** A directory the process may read but not write (keys mounted read-only): nobody writes it. */
const READ_ONLY = new Set(['EACCES', 'EPERM', 'EROFS']);

type Acquired = 'locked' | 'read-only';

async function acquire(lock: string): Promise<Acquired> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      return 'locked';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (READ_ONLY.has(code)) return 'read-only';
      if (code !== 'EEXIST' || Date.now() > deadline) throw error;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > STALE_LOCK_MS) await unlink(lock).catch(() => {});
      await sleep(25);
    }
  }
}

/**
 * Runs `work` while holding `<dir>/.lock` (O_EXCL), waiting for another holder. In a directory
 * this process cannot write, `work` runs unlocked: it cannot write either, and no one else can.
 */
async function withDirectoryLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, '.lock');
  if ((await acquire(lock)) === 'read-only') return work();
  try {
    return await work();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

function fingerprintOf(keys: KeyRecord[]): string {
  const summary = keys
    .map((k) => `${k.kid}:${k.state}:${k.activated_at ?? ''}`)
    .sort()
    .join(',');
  return createHash('sha256').update(summary).digest('base64url');
}

/** Creates `current` + `next` in an empty directory, so the next key is published before it signs. */
async function ensureKeys(policy: KeyPolicy, now: Date, warnings: string[] = []): Promise<KeyRecord[]> {
  const permissions = { allowLoosePermissions: policy.allowLoosePermissions, warnings };
  return withDirectoryLock(policy.dir, async () => {
    const existing = await readKeyFiles(policy.dir, permissions);
    if (existing.length > 0) return existing;
    await protectKeysDirectory(policy.dir);
    const fresh = [
      await generateKeyRecord(policy.alg, 'current', now),
      await generateKeyRecord(policy.alg, 'next', now),
    ];
    for (const key of fresh) await writeKeyFile(policy.dir, key);
    return fresh;
  });
}

export async function loadKeyRing(policy: KeyPolicy, now: Date): Promise<KeyRing> {
  const warnings: string[] = [];
  const keys = await ensureKeys(policy, now, warnings);
  const signing = signingKey(keys);
  if (!signing) throw new Error(`no current signing key in ${policy.dir}: run \`tessera keys rotate\``);
  const published = publishedKeys(keys, now, policy.retentionSeconds);
  return { signing, published, fingerprint: fingerprintOf(published), warnings };
}

/** `tessera keys rotate`: next -> current, current -> retired, a new next; lapsed keys deleted. */
export async function rotateKeyDirectory(policy: KeyPolicy, now: Date): Promise<KeyRecord[]> {
  await ensureKeys(policy, now);
  return withDirectoryLock(policy.dir, async () => {
    const keys = await readKeyFiles(policy.dir, {
      allowLoosePermissions: policy.allowLoosePermissions,
      warnings: [],
    });
    const plan = rotateKeys(
      keys,
      await generateKeyRecord(policy.alg, 'next', now),
      now,
      policy.retentionSeconds,
    );
    for (const key of plan.write) await writeKeyFile(policy.dir, key);
    for (const kid of plan.remove) await removeKeyFile(policy.dir, kid);
    return readKeyFiles(policy.dir, { allowLoosePermissions: policy.allowLoosePermissions, warnings: [] });
  });
}
