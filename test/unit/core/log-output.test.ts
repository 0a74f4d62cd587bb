import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from '@jest/globals';
import { stdoutLogOutput } from '../../../src/log-output.js';
import { createLogger } from '../../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-log-'));
let fd: number | undefined;
afterEach(() => {
  if (fd !== undefined) closeSync(fd);
  fd = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Logs through an output on a file (in place of stdout) and returns what reached the file. */
async function logged(pretty: boolean, log: (logger: ReturnType<typeof createLogger>) => void) {
  const path = join(dir, `${pretty ? 'pretty' : 'json'}-${Math.random()}.log`);
  fd = openSync(path, 'w');
  const output = stdoutLogOutput({ pretty, fd });
  log(createLogger('info', output.stream));
  await output.flush(1_000);
  return readFileSync(path, 'utf8');
}

it('writes JSON lines when not on a terminal', async () => {
  const text = await logged(false, (logger) =>
    logger.info({ issuer: 'http://localhost:3000' }, 'tessera ready'),
  );
  const line = JSON.parse(text.trim());
  expect(line).toMatchObject({ level: 30, msg: 'tessera ready', issuer: 'http://localhost:3000' });
});

it('writes readable lines on a terminal, with credentials still redacted', async () => {
  const text = await logged(true, (logger) => logger.info({ token: 'tsr_secret' }, 'tessera ready'));
  expect(text).toContain('INFO');
  expect(text).toContain('tessera ready');
  expect(text.trimStart().startsWith('{')).toBe(false);
  expect(text).not.toContain('tsr_secret');
  expect(text).toContain('[redacted]');
});

it('a descriptor that cannot be written silences the log; flush does not wait on it', async () => {
  const output = stdoutLogOutput({ pretty: false, fd: 987_654 });
  const logger = createLogger('info', output.stream);
  logger.info('into a descriptor nobody reads');
  const started = performance.now();
  await output.flush(200);
  expect(performance.now() - started).toBeLessThan(1_000);
});
