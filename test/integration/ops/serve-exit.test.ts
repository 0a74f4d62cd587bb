/**
 * `tessera serve` ends promptly on SIGTERM whatever became of its stdout: a log shipper that
 * died (EPIPE) or one that stopped reading (a full pipe). Before, pino's synchronous flush at
 * exit retried forever and the process never ended.
 */
import { afterEach, expect, it } from '@jest/globals';
import { call, startTesseraProcess, type TesseraProcess } from '../../helpers/tessera-process.js';

/**
 * Measured: 0.2-0.6 s idle. The bound leaves room for a 2-core machine loaded by a second test
 * run; the bug this guards against never ended at all (stop() SIGKILLs it after `KILL_AFTER_MS`,
 * and `signal` says so).
 */
const EXIT_BOUND_MS = 15_000;
const KILL_AFTER_MS = 30_000;

let tessera: TesseraProcess | undefined;
afterEach(async () => {
  await tessera?.cleanup();
  tessera = undefined;
});

it('exits 0 promptly after SIGTERM after the stdout reader has gone', async () => {
  tessera = await startTesseraProcess();
  tessera.child.stdout?.destroy();
  // Requests log a line each: for two seconds of traffic, every write meets the closed pipe.
  // (In its first seconds a PGlite-backed process can take over a second to end while V8
  // finishes compiling PGlite's WebAssembly in the background: measured, and not the log's doing.)
  const until = Date.now() + 2_000;
  while (Date.now() < until) expect((await call(tessera.url, 'GET', '/healthz')).status).toBe(200);
  const exit = await tessera.stop(KILL_AFTER_MS);
  console.log(`serve-exit: reader gone, exit ${exit.code} ${exit.signal ?? ''} ${exit.ms} ms after SIGTERM`);
  expect(exit.signal).toBeNull();
  expect(exit.code).toBe(0);
  expect(exit.ms).toBeLessThan(EXIT_BOUND_MS);
}, 90_000);

it('keeps answering and exits promptly after SIGTERM when the stdout reader stops reading', async () => {
  tessera = await startTesseraProcess();
  tessera.child.stdout?.pause();
  // Far more log lines than a pipe and the reader's buffer hold (64 KiB each on Linux).
  const batch = 50;
  for (let sent = 0; sent < 2_000; sent += batch) {
    const answers = await Promise.all(
      Array.from({ length: batch }, () => call(tessera?.url as string, 'GET', '/healthz')),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
  }
  const exit = await tessera.stop(KILL_AFTER_MS);
  console.log(
    `serve-exit: reader stalled, exit ${exit.code} ${exit.signal ?? ''} ${exit.ms} ms after SIGTERM`,
  );
  expect(exit.signal).toBeNull();
  expect(exit.code).toBe(0);
  expect(exit.ms).toBeLessThan(EXIT_BOUND_MS);
}, 120_000);
