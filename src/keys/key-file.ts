/**
 * Signing keys on disk: one private JWK per file in the keys directory, mode 0600, with the
 * key's rotation state beside it. Files are written atomically (temp file + rename), so a
 * running instance never reads half a key.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { SigningAlg } from './algorithms.js';
import { checkPermissions, type PermissionPolicy, parseKeyRecord } from './key-file-check.js';

export type { SigningAlg } from './algorithms.js';

/** `next`: published, not yet signing; `current`: signing; `retired`: published until it lapses. */
export type KeyState = 'next' | 'current' | 'retired';

export interface KeyRecord {
  kid: string;
  alg: SigningAlg;
  state: KeyState;
  created_at: string;
  activated_at?: string | undefined;
  retired_at?: string | undefined;
  /** The private JWK (with `kid`, `alg`, `use`). Never served, never logged. */
  jwk: JWK;
}

const FILE = /^key-[A-Za-z0-9_-]+\.json$/;
export const keyFileName = (kid: string) => `key-${kid}.json`;

/**
 * The key records in `dir`, each validated. With keys present, the directory and every key
 * file must be accessible by their owner only (see key-file-check.ts); strict by default.
 */
export async function readKeyFiles(
  dir: string,
  permissions: PermissionPolicy = { allowLoosePermissions: false, warnings: [] },
): Promise<KeyRecord[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = (await readdir(dir)).filter((name) => FILE.test(name)).sort();
  if (names.length > 0) checkPermissions(dir, await stat(dir), permissions);
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      checkPermissions(path, await stat(path), permissions);
      return parseKeyRecord(path, await readFile(path, 'utf8')) as KeyRecord;
    }),
  );
}

/** Before the first keys are written: only the owner may enter the directory (like `~/.ssh`). */
export async function protectKeysDirectory(dir: string): Promise<void> {
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}

export async function writeKeyFile(dir: string, record: KeyRecord): Promise<void> {
  const target = join(dir, keyFileName(record.kid));
  const temp = join(dir, `.${keyFileName(record.kid)}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, target);
}

export async function removeKeyFile(dir: string, kid: string): Promise<void> {
  await unlink(join(dir, keyFileName(kid))).catch(() => {});
}
