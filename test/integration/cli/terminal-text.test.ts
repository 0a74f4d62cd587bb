/**
 * Server-supplied text on an administrator's terminal (issue 18, item 4): another user's token
 * name or user agent holding OSC 52 (clipboard write), CSI (cursor moves, line erase), a carriage
 * return or a bidi override reaches `tessera` output only as visible `\uXXXX` escapes, and
 * `--json` stays valid JSON with the same values.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let adminEnv: Record<string, string>;
/** OSC 52 (ESC form and C1 form), a C1 CSI that erases the line, CR, and a right-to-left override. */
const HOSTILE_NAME = 'ci\u001b]52;c;cm0gLXJmIH4=\u0007\u009d52;c;eA==\u009c\u009b2K\rfine\u202eevil';
/** HTTP allows obs-text (0x80-0xFF) in header values: a C1 CSI arrives as U+009B. */
const HOSTILE_AGENT = 'agent\u009b1Ahidden';

/** Any character the terminal would act on, other than the CLI's own newlines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

let patId: string;

beforeAll(async () => {
  server = await startTestServer();
  adminEnv = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
  const { token } = await server.createUserWithToken(uniqueName('mallory'), ['tessera:tokens']);
  const response = await fetch(`${server.url}/api/v1/tokens`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'user-agent': HOSTILE_AGENT,
    },
    body: JSON.stringify({ name: HOSTILE_NAME, scopes: ['tessera:tokens'] }),
  });
  expect(response.status).toBe(201);
  patId = ((await response.json()) as { id: string }).id;
});
afterAll(() => server.stop());

describe('hostile text from the server', () => {
  it('admin tokens prints no control character, and shows it escaped', async () => {
    const run = await runTessera(['admin', 'tokens'], adminEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(run.stdout).toContain('ci\\u001b]52');
  });

  it('admin events prints the user agent with no control character', async () => {
    const run = await runTessera(['admin', 'events', patId], adminEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(run.stdout).toContain('agent\\u009b1Ahidden');
    const json = await runTessera(['admin', 'events', patId, '--json'], adminEnv);
    expect(json.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(json.json().items.map((e: { user_agent: string | null }) => e.user_agent)).toContain(
      HOSTILE_AGENT,
    );
  });

  it('--json escapes C1 too (JSON.stringify does not), and parses back to the same name', async () => {
    const run = await runTessera(['admin', 'tokens', '--json'], adminEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
    const names = run.json().items.map((p: { name: string }) => p.name);
    expect(names).toContain(HOSTILE_NAME);
  });
});
