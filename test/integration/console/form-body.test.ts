/**
 * Console form bodies go through the shared body reader (src/http/body.ts): a form that is not
 * a form, too large, not UTF-8 or holding NUL is a 4xx page and changes nothing; the reader
 * answers the console in the console's words, not the API's problem+json.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient, csrfTokenIn } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const FORM = 'application/x-www-form-urlencoded';

/** Posts raw bytes as `client`'s session would, from this server's origin. */
async function postRaw(client: ConsoleClient, path: string, body: Buffer, type = FORM) {
  const headers: Record<string, string> = { 'content-type': type, origin: server.url };
  if (client.cookie) headers.cookie = client.cookie;
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body, redirect: 'manual' });
  return { status: response.status, type: response.headers.get('content-type'), html: await response.text() };
}

describe('a console form the reader refuses', () => {
  it('is a 4xx HTML page on the sign-in form, whatever is wrong with it', async () => {
    const client = new ConsoleClient(server);
    const cases: Array<[string, Buffer, string, number, string]> = [
      [
        'bytes UTF-8 never uses',
        Buffer.concat([Buffer.from('token='), Buffer.from([0xff, 0xfe])]),
        FORM,
        400,
        'is not valid UTF-8',
      ],
      [
        'an overlong encoding',
        Buffer.concat([Buffer.from('token='), Buffer.from([0xc0, 0xaf])]),
        FORM,
        400,
        'is not valid UTF-8',
      ],
      ['a raw NUL', Buffer.from('token=a\u0000b'), FORM, 400, 'contains NUL'],
      ['a percent-encoded NUL', Buffer.from('token=a%00b'), FORM, 400, 'contains NUL'],
      ['JSON', Buffer.from('{"token":"x"}'), 'application/json', 415, 'send a form'],
      ['more than 16 KiB', Buffer.from(`token=${'x'.repeat(20_000)}`), FORM, 413, 'at most 16384 bytes'],
    ];
    for (const [label, body, type, status, says] of cases) {
      const page = await postRaw(client, '/console/sign-in', body, type);
      expect({ label, status: page.status, type: page.type }).toEqual({
        label,
        status,
        type: expect.stringMatching(/^text\/html/),
      });
      expect(page.html).toContain(`Error ${status}`);
      expect({ label, says: page.html.includes(says) }).toEqual({ label, says: true });
    }
  });

  it('creates no token when the new-token form is not UTF-8', async () => {
    const made = await server.createUserWithToken(uniqueName('form'), ['tessera:tokens', 'repo:read']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(made.token);
    const csrf = csrfTokenIn((await client.get('/console/tokens/new')).html) as string;
    const body = Buffer.concat([
      Buffer.from(`_csrf=${encodeURIComponent(csrf)}&scopes=repo%3Aread&name=bad`),
      Buffer.from([0xed, 0xa0, 0x80]),
    ]);
    const page = await postRaw(client, '/console/tokens', body);
    expect(page.status).toBe(400);
    expect(page.html).toContain('is not valid UTF-8');
    const listed = await server.request('GET', '/api/v1/tokens?limit=100', { token: made.token });
    expect(listed.body.items).toHaveLength(1);
  });
});
