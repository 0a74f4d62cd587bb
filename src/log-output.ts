/**
 * Where `tessera serve` writes its log: stdout, human-readable on a terminal (pino-pretty) and
 * JSON lines otherwise. Writes never block the process and exit never waits on the reader: a
 * log shipper that died (EPIPE) silences the log, one that stopped reading gets at most
 * `MAX_BUFFERED` bytes queued, and `flush` gives up after its deadline. pino's own stdout
 * destination flushes synchronously at exit, which retried a full pipe forever.
 */
import type { DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import sonicBoom from 'sonic-boom';

const { SonicBoom } = sonicBoom;

/** Past this much unwritten log, new lines are dropped rather than held in memory. */
const MAX_BUFFERED = 16 * 1024 * 1024;

export interface LogOutput {
  stream: DestinationStream;
  /** Resolves once queued lines are written, or after `deadlineMs`, whichever comes first. */
  flush(deadlineMs: number): Promise<void>;
}

export function stdoutLogOutput(options: { pretty: boolean; fd?: number }): LogOutput {
  const sink = new SonicBoom({ fd: options.fd ?? 1, sync: false, maxLength: MAX_BUFFERED });
  let broken = false;
  sink.on('error', () => {
    // EPIPE and the like: nobody reads any more, so logging stops instead of failing.
    broken = true;
  });
  // sonic-boom's own flush() answers at once when it buffers nothing, even with a write still in
  // flight; 'drain' is emitted when everything queued has been written.
  let pending = false;
  sink.on('drain', () => {
    pending = false;
  });
  const write = (line: string) => {
    if (broken) return;
    pending = true;
    sink.write(line);
  };
  const pretty = options.pretty
    ? prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' })
    : undefined;
  return {
    stream: { write: pretty ? (line: string) => write(pretty(line)) : write },
    flush: (deadlineMs) =>
      new Promise<void>((done) => {
        if (broken || !pending) return done();
        const finish = () => {
          clearTimeout(timer);
          sink.off('drain', finish);
          done();
        };
        const timer = setTimeout(finish, deadlineMs);
        sink.once('drain', finish);
      }),
  };
}
