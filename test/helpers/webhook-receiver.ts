/**
 * A real webhook receiver on a loopback port: records every request (headers and raw body) and
 * answers what the test's `respond` says (a status, after an optional delay).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

export interface Answer {
  status: number;
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides each answer; receives the number of requests so far (1 for the first). */
  respond: (count: number, request: ReceivedWebhook) => Answer;
  /** Checks a request's Standard Webhooks signature with the library's own verify. */
  verify(request: ReceivedWebhook, secret: string): unknown;
  close(): Promise<void>;
}

export async function startWebhookReceiver(host = '127.0.0.1'): Promise<WebhookReceiver> {
  const receiver = {
    received: [] as ReceivedWebhook[],
    respond: (() => ({ status: 204 })) as WebhookReceiver['respond'],
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {}
      const request = { path: req.url ?? '/', headers: req.headers, body, json };
      receiver.received.push(request);
      const answer = receiver.respond(receiver.received.length, request);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers).end();
      };
      // unref: an answer still waiting when the test closes the receiver keeps no process alive.
      if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/hooks`,
    verify(request: ReceivedWebhook, secret: string) {
      return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
