/**
 * HTTP below `fetch`: bytes written as they are on a fresh loopback connection, and bodies sent
 * chunked, for tests of what a well-behaved client library would never send.
 */
import { type Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  /** The status line's code; 'closed' if the server closed without answering, 'no answer' if it did neither. */
  status: number | 'closed' | 'no answer';
  /** Everything that came back, as latin1. */
  text: string;
}

const portOf = (url: string) => Number(new URL(url).port);

/** The status code of the first HTTP/1.1 status line in `received`, if any. */
export const statusLineCode = (received: string) => {
  const code = /^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1];
  return code ? Number(code) : undefined;
};

/**
 * Opens a connection to `url`'s port, writes `bytes` as one write, and resolves with what came
 * back when the server closes, or 'no answer' after `waitMs` (sized for a loaded machine).
 */
export function rawExchange(url: string, bytes: string | Buffer, waitMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(portOf(url), '127.0.0.1');
    let received = '';
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const status = statusLineCode(received) ?? (timedOut ? 'no answer' : 'closed');
      resolve({ status, text: received });
    };
    const timer = setTimeout(() => finish(true), waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {}); // a reset is one of the accepted answers
    socket.on('close', () => finish(false));
    socket.write(bytes);
  });
}

export interface ChunkedAnswer {
  status: number | 'closed';
  contentType: string | undefined;
  text: string;
}

/** A POST to `url` whose body goes out in 4 KB chunks, so no Content-Length announces its size. */
export function chunkedPost(
  url: string,
  body: string,
  headers: Record<string, string>,
  agent: Agent | false = false,
): Promise<ChunkedAnswer> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text }),
      );
      res.on('error', () => resolve({ status: 'closed', contentType: undefined, text }));
    });
    req.on('error', () => resolve({ status: 'closed', contentType: undefined, text: '' }));
    for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
    req.end();
  });
}
