/**
 * On a terminal, `tessera serve` logs readable lines (pino-pretty), not JSON. A terminal is
 * given to it by util-linux `script`, which runs the command on a pseudo-terminal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../helpers/tessera-process.js';

it('writes the start line readably on a terminal, and Ctrl-C stops it cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-tty-'));
  const command = `exec ${process.execPath} --import tsx src/cli/entry.ts serve`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      // Port 0: no race with other processes for a port picked in advance; this test needs no requests.
      PORT: '0',
      HOST: '127.0.0.1',
      TESSERA_ISSUER: 'http://localhost:3000',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_KEYS_DIR: join(dataDir, 'keys'),
    },
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  let running = true;
  const exited = new Promise<number | null>((done) => child.once('exit', done)).then((code) => {
    running = false;
    return code;
  });
  try {
    const deadline = Date.now() + 60_000;
    while (running && !output.includes('tessera ready at') && Date.now() < deadline) await sleep(100);
    // Colours and all: strip the escape sequences to read the line as a person would.
    const plain = stripVTControlCharacters(output);
    const ready = plain.split(/\r?\n/).find((line) => line.includes('tessera ready at'));
    if (!ready) throw new Error(`no start line (running: ${running}):\n${plain.slice(-3000)}`);
    expect(ready).toMatch(
      /^\[\d{2}:\d{2}:\d{2}\] INFO: tessera ready at http:\/\/localhost:3000 \(console http:\/\/localhost:3000\/console/,
    );
    expect(plain).not.toContain('{"level"');

    // Ctrl-C on the terminal: SIGINT to the foreground process, which shuts down and exits 0.
    // (Killing `script` instead would leave serve running: the terminal's SIGHUP reloads keys.)
    child.stdin?.write('\u0003');
    expect(await exited).toBe(0);
    expect(stripVTControlCharacters(output)).toContain('tessera stopped');
  } finally {
    if (running && child.pid) process.kill(-child.pid, 'SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);
