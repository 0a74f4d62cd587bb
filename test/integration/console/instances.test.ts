/**
 * Two Tessera instances on one database (as behind a load balancer): a console session is a
 * row, so a sign-in on one instance works on the other, and a sign-out or a revoked sign-in PAT
 * on one ends the session on the other at once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { startTessera, type Tessera } from '../../../src/main.js';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { freePort } from '../../helpers/tessera-process.js';

let first: TestServer;
let second: Tessera;

beforeAll(async () => {
  first = await startTestServer();
  const config = loadConfig({
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: first.dataDir,
    TESSERA_KEYS_DIR: join(first.dataDir, 'keys'),
    TESSERA_ISSUER: first.url,
    TESSERA_CONFIG: join(first.dataDir, 'tessera.config.json'),
  });
  // The same database, closed by the first instance's teardown.
  const db = { ...first.database.db, close: async () => {} };
  second = await startTessera({ config, logger: createLogger('silent'), db });
});
afterAll(async () => {
  await second?.stop(1000);
  await first?.stop();
});

/** The same browser (cookie) talking to the other instance. */
function onSecond(client: ConsoleClient): ConsoleClient {
  // The browser behind a load balancer posts with the issuer's origin, whichever instance answers.
  const other = new ConsoleClient({ ...first, url: second.url }, first.url);
  other.cookie = client.cookie;
  return other;
}

describe('console sessions across instances', () => {
  it('a sign-out on one instance ends the session on the other at once', async () => {
    const { token } = await first.createUserWithToken(uniqueName('lb'), ['tessera:tokens']);
    const a = new ConsoleClient(first);
    await a.signInWithToken(token);
    const b = onSecond(a);
    expect((await b.get('/console/tokens')).status).toBe(200);
    await a.post('/console/sign-out', {}, { from: '/console/tokens' });
    expect((await b.get('/console/tokens')).status).toBe(303);
  });

  it('a sign-in PAT revoked through one instance ends the session on the other', async () => {
    const { token, pat } = await first.createUserWithToken(uniqueName('lb'), ['tessera:tokens']);
    const a = new ConsoleClient(first);
    await a.signInWithToken(token);
    const b = onSecond(a);
    expect((await b.post(`/console/tokens/${pat.id}/revoke`, {}, { from: '/console/tokens' })).status).toBe(
      303,
    );
    expect((await a.get('/console/tokens')).status).toBe(303);
  });
});
