/**
 * Key files on a real temporary directory: a corrupt file's error names the file and the field;
 * group/world-accessible key files or keys directories are refused, as ssh refuses an
 * unprotected private key, or only warned about with `signing.allowLoosePermissions`.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { type KeyPolicy, type KeyRing, loadKeyRing, rotateKeyDirectory } from '../../../src/keys/keyring.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function keysDir(mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-keys-'));
  made.push(dir);
  chmodSync(dir, mode);
  return dir;
}

const policy = (dir: string, extra: Partial<KeyPolicy> = {}): KeyPolicy => ({
  dir,
  alg: 'ES256',
  retentionSeconds: 1200,
  allowLoosePermissions: false,
  ...extra,
});

const keyFiles = (dir: string) => readdirSync(dir).filter((name) => /^key-.*\.json$/.test(name));

async function failureOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

describe('loading key files', () => {
  it('a first start in a loose, empty directory makes it 0700 and writes 0600 files', async () => {
    const dir = keysDir(0o755);
    writeFileSync(join(dir, 'README.md'), 'keys live here\n');
    const ring = await loadKeyRing(policy(dir), NOW);
    expect(ring.signing.kid).toEqual(expect.any(String));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of keyFiles(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
  });

  it('a corrupt key file: the error names the file', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    const [first] = keyFiles(dir) as [string];
    writeFileSync(join(dir, first), '{"kid": "trunc', { mode: 0o600 });
    const message = await failureOf(() => loadKeyRing(policy(dir), NOW));
    expect(message).toContain(join(dir, first));
  });

  it('a key file of the wrong shape: the error names the file and the field', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    const [first] = keyFiles(dir) as [string];
    const record = JSON.parse(readFileSync(join(dir, first), 'utf8'));
    delete record.jwk.d;
    record.state = 'active';
    writeFileSync(join(dir, first), JSON.stringify(record), { mode: 0o600 });
    const message = await failureOf(() => loadKeyRing(policy(dir), NOW));
    expect(message).toContain(join(dir, first));
    expect(message).toContain('jwk.d');
    expect(message).toContain('state');
  });

  it('a group/world-readable key file is refused, naming it and the fix', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    const [first] = keyFiles(dir) as [string];
    for (const mode of [0o640, 0o604, 0o644]) {
      chmodSync(join(dir, first), mode);
      const message = await failureOf(() => loadKeyRing(policy(dir), NOW));
      expect(message).toContain(join(dir, first));
      expect(message).toMatch(/chmod 600/);
    }
  });

  it('a group/world-accessible keys directory holding keys is refused', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    chmodSync(dir, 0o755);
    const message = await failureOf(() => loadKeyRing(policy(dir), NOW));
    expect(message).toContain(dir);
    expect(message).toMatch(/chmod 700/);
  });

  it('with allowLoosePermissions, loose modes load with a warning naming each', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    const [first] = keyFiles(dir) as [string];
    chmodSync(join(dir, first), 0o644);
    chmodSync(dir, 0o755);
    const ring = await loadKeyRing(policy(dir, { allowLoosePermissions: true }), NOW);
    expect(ring.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining(join(dir, first)), expect.stringContaining(dir)]),
    );
    expect(ring.signing.kid).toEqual(expect.any(String));
  });
});

describe('instances sharing one keys directory', () => {
  const kids = (ring: KeyRing) => ring.published.map((k) => k.kid).sort();
  const states = (ring: KeyRing) => ring.published.map((k) => k.state).sort();

  it('starting while another generates the first keys, every one loads its current and next key', async () => {
    for (let round = 0; round < 4; round++) {
      const dir = keysDir();
      let generating = true;
      const first = loadKeyRing(policy(dir), NOW).finally(() => {
        generating = false;
      });
      // Later instances arrive at every turn of the event loop until the first has finished.
      const later: Promise<KeyRing>[] = [];
      while (generating && later.length < 16) {
        later.push(loadKeyRing(policy(dir), NOW));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const rings = [await first, ...(await Promise.all(later))];
      expect(keyFiles(dir)).toHaveLength(2);
      for (const ring of rings) {
        expect(states(ring)).toEqual(['current', 'next']);
        expect(kids(ring)).toEqual(kids(rings[0] as KeyRing));
      }
    }
  });

  it('a reload while `keys rotate` writes never sees half a rotation', async () => {
    const dir = keysDir();
    await loadKeyRing(policy(dir), NOW);
    let rotating = true;
    const rotations = (async () => {
      for (let i = 0; i < 6; i++) await rotateKeyDirectory(policy(dir), NOW);
      rotating = false;
    })();
    const seen: KeyRing[] = [];
    while (rotating) seen.push(await loadKeyRing(policy(dir), NOW));
    await rotations;
    expect(seen.length).toBeGreaterThan(0);
    for (const ring of seen) {
      expect(ring.published.filter((k) => k.state === 'current')).toHaveLength(1);
      expect(ring.published.filter((k) => k.state === 'next')).toHaveLength(1);
    }
  });
});
