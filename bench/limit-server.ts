/**
 * The limit: only the unavoidable work of a PAT exchange, on node:http. Parse the form,
 * SHA-256 the PAT, one prepared indexed PostgreSQL lookup, sign an ES256 JWT with jose.
 *   DATABASE_URL=... PORT=4002 tsx bench/limit-server.ts
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';

const port = Number(process.env.PORT ?? 4002);
const issuer = `http://127.0.0.1:${port}`;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const { privateKey } = await generateKeyPair('ES256');
const kid = await calculateJwkThumbprint(
  await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey),
);

const lookup = {
  name: 'pat-by-hash',
  text: `SELECT p.id, p.user_id, p.scopes FROM pats p JOIN users u ON u.id = p.user_id
         WHERE p.token_hash = $1 AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > now())
           AND u.disabled_at IS NULL AND u.deleted_at IS NULL`,
};

function send(res: import('node:http').ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

createServer(async (req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const token = form.get('subject_token') ?? '';
  const hash = createHash('sha256').update(token).digest();
  const { rows } = await pool.query({ ...lookup, values: [hash] });
  const pat = rows[0];
  if (!pat) return send(res, 400, { error: 'invalid_request' });
  const scope = form.get('scope') ?? pat.scopes.join(' ');
  const jwt = await new SignJWT({ scope, client_id: 'tessera-cli', pat_id: pat.id })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setIssuer(issuer)
    .setSubject(pat.user_id)
    .setAudience(form.get('audience') ?? `${issuer}/api`)
    .setIssuedAt()
    .setExpirationTime('15m')
    .setJti(randomUUID())
    .sign(privateKey);
  send(res, 200, {
    access_token: jwt,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer',
    expires_in: 900,
    scope,
  });
}).listen(port, '127.0.0.1');
