/** The soak's HTTP side: one keep-alive agent for all workers, answers parsed as JSON when they are. */
import { Agent, request } from 'node:http';

export interface Answer {
  /** The HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  body: any;
}

export interface Client {
  call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer>;
  /** An `/api/v1` call as `token`'s bearer, with a JSON body when there is one. */
  api(method: string, path: string, token: string, body?: unknown): Promise<Answer>;
  close(): void;
}

function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

export function createClient(origin: string, connections: number): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });

  const call: Client['call'] = (method, path, headers, body) =>
    new Promise((resolve) => {
      const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const req = request(
        `${origin}${path}`,
        { method, agent, timeout: 30_000, headers: { ...headers, ...length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: parsed(Buffer.concat(chunks).toString('utf8')) }),
          );
          res.on('error', () => resolve({ status: 0, body: 'response error' }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => resolve({ status: 0, body: error.message }));
      req.end(body);
    });

  const api: Client['api'] = (method, path, token, body) =>
    call(
      method,
      path,
      {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body === undefined ? undefined : JSON.stringify(body),
    );

  return { call, api, close: () => agent.destroy() };
}
