/**
 * Loads users and PATs straight into PostgreSQL with COPY, for scale benchmarks: random
 * 32-byte hashes (no plaintext exists for these tokens), realistic columns, indexes kept.
 *   tsx bench/seed.ts <database-url> <users> <pats-per-user>
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const DAY = 86_400_000;

function* userRows(ids: string[], prefix: string, now: Date) {
  for (const [i, id] of ids.entries()) {
    yield `${id}\t${prefix}-${i}\t{tessera:tokens,repo:read,repo:write}\tf\t${now.toISOString()}\t\\N\t\\N\n`;
  }
}

function* patRows(userIds: string[], perUser: number, now: Date) {
  let n = 0;
  for (const userId of userIds) {
    for (let i = 0; i < perUser; i++, n++) {
      const created = new Date(now.getTime() - (n % 300) * DAY - n);
      const expires = new Date(created.getTime() + 365 * DAY);
      const used = n % 3 === 0 ? '\\N' : new Date(now.getTime() - (n % 90) * DAY).toISOString();
      yield `${randomUUID()}\t${userId}\tseed-${n}\t\\\\x${randomBytes(32).toString('hex')}\ttsr_seed\t{repo:read}\t${created.toISOString()}\t\\N\t${expires.toISOString()}\t${used}\t\\N\t\\N\t\\N\t\\N\t\\N\n`;
    }
  }
}

async function copy(client: pg.PoolClient | pg.Client, sql: string, rows: Iterable<string>) {
  const source = Readable.from(
    (function* batched() {
      let chunk = '';
      for (const row of rows) {
        chunk += row;
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    })(),
  );
  await pipeline(source, client.query(copyFrom(sql)));
}

/** Adds `users` users with `patsPerUser` PATs each; returns the new user ids. */
export async function seed(
  databaseUrl: string,
  users: number,
  patsPerUser: number,
  label = 'seed',
): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = new Date();
    const ids = Array.from({ length: users }, () => randomUUID());
    await copy(
      client,
      'COPY users (id, username, entitlements, service, created_at, disabled_at, deleted_at) FROM STDIN',
      userRows(ids, `${label}-${randomBytes(3).toString('hex')}`, now),
    );
    await copy(
      client,
      `COPY pats (id, user_id, name, token_hash, hint, scopes, created_at, created_by, expires_at, last_used_at,
         last_used_ip, revoked_at, revoked_by, revoked_reason, rotated_from) FROM STDIN`,
      patRows(ids, patsPerUser, now),
    );
    await client.query('ANALYZE users; ANALYZE pats;');
    return ids;
  } finally {
    await client.end();
  }
}

if (process.argv[1]?.endsWith('seed.ts')) {
  const [url, users, perUser] = process.argv.slice(2);
  const started = performance.now();
  await seed(url as string, Number(users), Number(perUser));
  console.log(
    `seeded ${Number(users) * Number(perUser)} PATs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
