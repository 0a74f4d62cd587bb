/**
 * A browser-less console client for integration tests: a cookie jar of one session, form posts
 * with this server's Origin, and the CSRF token read from the page it came from.
 */
import type { TestServer } from './server.js';

export interface ConsolePage {
  /** For a post that issued a token: the one-time page it was sent to (already followed). */
  issuedAt?: string;
  status: number;
  headers: Headers;
  html: string;
  location: string | null;
}

export class ConsoleClient {
  cookie: string | null = null;
  /** Sent with every request (e.g. `x-forwarded-for` to a server that trusts 127.0.0.1 as its proxy). */
  headers: Record<string, string> = {};
  constructor(
    readonly server: TestServer,
    readonly origin: string = server.url,
  ) {}

  private remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name?.endsWith('tessera_session')) this.cookie = value ? `${name}=${value}` : null;
    }
  }

  async send(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...this.headers, ...init.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const response = await fetch(`${this.server.url}${path}`, {
      method,
      headers,
      body: init.body,
      redirect: 'manual',
    });
    this.remember(response);
    const page: ConsolePage = {
      status: response.status,
      headers: response.headers,
      html: await response.text(),
      location: response.headers.get('location'),
    };
    return page;
  }

  get(path: string) {
    return this.send('GET', path);
  }

  /** Posts a form as a page of this server would: with its Origin and, unless given, the CSRF token of `from`. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    options: { from?: string; origin?: string | null } = {},
  ) {
    const form = new URLSearchParams();
    if (options.from !== undefined) {
      const csrf = csrfTokenIn((await this.get(options.from)).html);
      if (csrf) form.append('_csrf', csrf);
    }
    for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) form.append(key, v);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const origin = options.origin === undefined ? this.origin : options.origin;
    if (origin) headers.origin = origin;
    const answer = await this.send('POST', path, { body: form.toString(), headers });
    // A post that issued a token answers 303 to the one page that shows it: follow, as a browser does.
    if (answer.status === 303 && answer.location?.startsWith('/console/tokens/issued/')) {
      return { ...(await this.get(answer.location)), issuedAt: answer.location };
    }
    return answer;
  }

  async signInWithToken(token: string, returnTo?: string) {
    const fields: Record<string, string> = { token };
    if (returnTo) fields.return_to = returnTo;
    return this.post('/console/sign-in', fields);
  }
}

export function csrfTokenIn(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

/** The secret shown in the render-once banner. */
export function bannerToken(html: string): string | null {
  return /data-testid="new-token" id="new-token">([^<]+)</.exec(html)?.[1] ?? null;
}
