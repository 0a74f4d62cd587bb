// jest `globalSetup` of the database projects: the migrated snapshot every test file copies.
// See build-snapshot.ts for why it runs in a child process.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function globalSetup() {
  const script = fileURLToPath(new URL('./build-snapshot.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  execFileSync(tsx, [script], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } });
}
