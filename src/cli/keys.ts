/** `tessera keys list|rotate`: the signing keys in `TESSERA_KEYS_DIR` (no server needed). */
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { publicJwk } from '../keys/jwks.js';
import type { KeyRecord } from '../keys/key-file.js';
import { readKeyFiles } from '../keys/key-file.js';
import { keyPolicyFor, rotateKeyDirectory } from '../keys/keyring.js';
import { formatTable } from './table.js';

/** What may be shown of a key: never its private members. */
const describeKey = (key: KeyRecord) => ({
  kid: key.kid,
  alg: key.alg,
  state: key.state,
  created_at: key.created_at,
  activated_at: key.activated_at ?? null,
  retired_at: key.retired_at ?? null,
  public_jwk: publicJwk(key.jwk),
});

function printKeys(keys: KeyRecord[], json: boolean, out: (text: string) => void) {
  const order = { next: 0, current: 1, retired: 2 };
  const sorted = [...keys].sort((a, b) => order[a.state] - order[b.state]);
  if (json) return out(JSON.stringify(sorted.map(describeKey), null, 2));
  out(
    formatTable(
      ['KID', 'ALG', 'STATE', 'CREATED', 'RETIRED'],
      sorted.map((k) => [k.kid, k.alg, k.state, k.created_at, k.retired_at ?? '']),
    ),
  );
}

export function registerKeyCommands(program: Command, config: () => Config, out: (text: string) => void) {
  const keys = program.command('keys').description('signing keys (next -> current -> retired)');

  keys
    .command('list')
    .description('list the signing keys and their states')
    .option('--json', 'print JSON (public parts only)')
    .action(async (opts: { json?: boolean }) => {
      const { keysDir, signing } = config();
      const permissions = { allowLoosePermissions: signing.allowLoosePermissions, warnings: [] };
      printKeys(await readKeyFiles(keysDir, permissions), !!opts.json, out);
    });

  keys
    .command('rotate')
    .description('next becomes current, current retires, a new next is staged')
    .option('--json', 'print JSON (public parts only)')
    .action(async (opts: { json?: boolean }) => {
      printKeys(await rotateKeyDirectory(keyPolicyFor(config()), new Date()), !!opts.json, out);
    });
}
