/**
 * Property-based robustness of every `/api/v1` write route (docs/design.md, "What bad input gets"):
 * whatever body, content type, path id and Authorization header a client sends, the answer is
 * never a 5xx; every error is RFC 9457 problem+json whose `status` is the HTTP status; a
 * rejected request changes no row of users, pats or audit_events; and a 2xx only answers a
 * request that was valid, with exactly the change the route promises.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectProblem } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const BODY_LIMIT = 16 * 1024;
/** Entitlements of the users the properties act as and on. */
const ENTITLED = ['tessera:tokens', 'repo:read', 'repo:write'];
/** Stands for a value only known once a run's fixtures exist (a fresh username or PAT). */
const FRESH_NAME = '@@fresh-name@@';
const FRESH_PAT = '@@fresh-pat@@';
/** Marks where a raw JSON literal goes in a body. */
const RAW_MARK = '@@raw@@';

/** What alice's PAT holds: less than she is entitled to, so the scope ceiling shows. */
const ALICE_PAT_SCOPES = ['tessera:tokens', 'repo:read'];

let server: TestServer;
/** A user with `tessera:tokens`, the caller of the self routes. */
let alice: { id: string; token: string };
/** Another user: their PATs must stay out of alice's reach. */
let bob: { id: string; token: string };
/** A user whose PAT lacks `tessera:tokens`. */
let carol: { token: string };
/** One of alice's PATs, revoked. */
let revokedToken: string;

beforeAll(async () => {
  server = await startTestServer();
  const made = await server.createUserWithToken(uniqueName('prop-alice'), ENTITLED, ALICE_PAT_SCOPES);
  alice = { id: made.user.id, token: made.token };
  const other = await server.createUserWithToken(uniqueName('prop-bob'), ENTITLED, ['tessera:tokens']);
  bob = { id: other.user.id, token: other.token };
  carol = { token: (await server.createUserWithToken(uniqueName('prop-carol'), ['repo:read'])).token };
  const spare = await must(201, 'POST', '/api/v1/tokens', alice.token, {
    name: 'spare',
    scopes: ['repo:read'],
  });
  await must(200, 'POST', `/api/v1/tokens/${spare.id}/revoke`, alice.token);
  revokedToken = spare.token;
}, 90_000);
afterAll(() => server.stop());

/** A setup request that has to succeed. */
async function must(status: number, method: string, path: string, token: string, body?: unknown) {
  const response = await server.request(method, path, { token, body });
  if (response.status !== status)
    throw new Error(`setup ${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

// ---------------------------------------------------------------------------------------------
// What a valid body is, written out independently of the routes' zod schemas.

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const onlyKeys = (value: Record<string, Json>, allowed: string[]) =>
  Object.keys(value).every((key) => allowed.includes(key));
const stringUpTo = (value: Json, max: number): value is string =>
  typeof value === 'string' && value.length <= max;
const trimmedBetween = (value: Json, min: number, max: number) =>
  typeof value === 'string' && value.trim().length >= min && value.trim().length <= max;
const listOf = (value: Json, min: number, max: number, item: (v: Json) => boolean) =>
  Array.isArray(value) && value.length >= min && value.length <= max && value.every(item);
const optional = (value: Json, check: (v: Json) => boolean) => value === undefined || check(value);

function hasNul(value: Json): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || hasNul(item));
}

interface Schema {
  /** A body the route accepts (given fixtures that make it apply). */
  base: Record<string, Json>;
  valid(body: Json): boolean;
}

const newPat: Schema = {
  base: { name: 'laptop', scopes: ['repo:read'], expires_in_days: 30 },
  valid: (b) =>
    isObject(b) &&
    onlyKeys(b, ['name', 'scopes', 'expires_in_days']) &&
    trimmedBetween(b.name, 1, 100) &&
    listOf(b.scopes, 1, 50, (s) => stringUpTo(s, 64)) &&
    optional(
      b.expires_in_days,
      (d) => d === null || (Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 36500),
    ),
};

const newUser: Schema = {
  base: { username: FRESH_NAME, entitlements: ENTITLED },
  valid: (b) =>
    isObject(b) &&
    onlyKeys(b, ['username', 'entitlements', 'admin', 'service']) &&
    typeof b.username === 'string' &&
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(b.username) &&
    optional(b.entitlements, (e) => listOf(e, 0, 100, (s) => stringUpTo(s, 64))) &&
    optional(b.admin, (a) => typeof a === 'boolean') &&
    optional(b.service, (s) => typeof s === 'boolean'),
};

const userChange: Schema = {
  base: { username: FRESH_NAME, entitlements: ['tessera:tokens', 'repo:read'], admin: false },
  valid: (b) =>
    isObject(b) &&
    onlyKeys(b, ['username', 'entitlements', 'admin']) &&
    Object.keys(b).length > 0 &&
    optional(b.username, (u) => typeof u === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(u)) &&
    optional(b.entitlements, (e) => listOf(e, 0, 100, (s) => stringUpTo(s, 64))) &&
    optional(b.admin, (a) => typeof a === 'boolean'),
};

const empty: Schema = { base: {}, valid: (b) => isObject(b) && Object.keys(b).length === 0 };

const adminRevoke: Schema = {
  base: { reason: 'left the company' },
  valid: (b) =>
    isObject(b) && onlyKeys(b, ['reason']) && optional(b.reason, (r) => trimmedBetween(r, 1, 200)),
};

const leakReport: Schema = {
  base: { tokens: [FRESH_PAT] },
  valid: (b) => isObject(b) && onlyKeys(b, ['tokens']) && listOf(b.tokens, 1, 100, (t) => stringUpTo(t, 256)),
};

type ContentClass = 'json' | 'other' | 'unsure';
/** What `jsonBody()` makes of a request's body: the parsed value, or null when it must refuse it. */
function parsedBody(raw: string | Buffer | undefined, contentClass: ContentClass): { value: Json } | null {
  const bytes = raw === undefined ? Buffer.alloc(0) : Buffer.from(raw);
  if (bytes.length === 0) return { value: {} };
  if (bytes.length > BODY_LIMIT || contentClass === 'other') return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  if (text.trim() === '') return { value: {} };
  try {
    const value: Json = JSON.parse(text);
    return typeof value === 'object' && value !== null ? { value } : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators.

/** A JSON value of the wrong shape, or a number or string at an edge. */
const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double(),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom<Json>(
    0,
    -1,
    1,
    1.5,
    365,
    366,
    36500,
    36501,
    2 ** 53 + 2,
    '',
    ' ',
    '\t \n',
    'x',
    '\u0000',
    null,
    true,
    [],
    {},
    ['repo:read'],
    ['repo:read', 'repo:read', 'repo:write'],
    ['no:such-scope'],
    ['tessera:admin'],
    Array.from({ length: 51 }, () => 'repo:read'),
    ['x'.repeat(65)],
    ['x'.repeat(257)],
  ),
);

type Mutation =
  | { kind: 'set'; field: string; value: Json }
  | { kind: 'drop'; field: string }
  | { kind: 'extra'; key: string; value: Json }
  | { kind: 'nul'; field: string; at: number }
  | { kind: 'huge'; field: string; length: number };

function mutation(fields: string[]): fc.Arbitrary<Mutation> {
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant('unexpected');
  const key = fc.oneof(
    fc.string(),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'admin',
      'id',
      'user_id',
      'owner',
      'Name',
      'scopes ',
      'token',
    ),
  );
  return fc.oneof(
    fc.record({ kind: fc.constant('set' as const), field, value: oddValue }),
    fc.record({ kind: fc.constant('drop' as const), field }),
    fc.record({ kind: fc.constant('extra' as const), key, value: fc.jsonValue({ maxDepth: 1 }) }),
    fc.record({ kind: fc.constant('nul' as const), field, at: fc.nat(20) }),
    fc.record({ kind: fc.constant('huge' as const), field, length: fc.integer({ min: 60, max: 30_000 }) }),
  );
}

const withNul = (text: string, at: number) => `${text.slice(0, at)}\u0000${text.slice(at)}`;

function applyMutation(body: Record<string, Json>, m: Mutation): void {
  const current = m.kind === 'extra' ? undefined : body[m.field];
  switch (m.kind) {
    case 'set':
      body[m.field] = m.value;
      return;
    case 'drop':
      delete body[m.field];
      return;
    case 'extra':
      body[m.key] = m.value;
      return;
    case 'nul':
      if (Array.isArray(current)) body[m.field] = [...current, withNul('repo:read', m.at)];
      else if (typeof current === 'string') body[m.field] = withNul(current, m.at);
      else body[withNul(m.field, m.at)] = 1;
      return;
    case 'huge':
      if (Array.isArray(current))
        body[m.field] = Array.from({ length: Math.ceil(m.length / 100) }, () => 'a');
      else if (typeof current === 'number') body[m.field] = 10 ** Math.min(m.length, 400);
      else body[m.field] = 'x'.repeat(m.length);
  }
}

/** The route's valid body with one or two things wrong (or, by accident, still right). */
const nearValid = (schema: Schema): fc.Arbitrary<string> =>
  fc.array(mutation(Object.keys(schema.base)), { minLength: 1, maxLength: 2 }).map((mutations) => {
    const body = structuredClone(schema.base);
    for (const m of mutations) applyMutation(body, m);
    return JSON.stringify(body);
  });

/** The valid body with one field's JSON text replaced by a literal JSON.stringify never writes. */
const spliced = (schema: Schema): fc.Arbitrary<string> =>
  fc
    .tuple(
      Object.keys(schema.base).length > 0 ? fc.constantFrom(...Object.keys(schema.base)) : fc.constant('x'),
      fc.constantFrom(
        '1e400',
        '-0',
        '1.0',
        '3e1',
        '0x10',
        '01',
        'NaN',
        'Infinity',
        '"\\u0000"',
        '"\\ud800"',
        '"a\\udc00b"',
        '"\\x41"',
        '"\\u00a0laptop\\u2003"',
        '"\\ufeff"',
        '["repo:read",]',
        '[,]',
        'undefined',
        '"30"',
        '30',
      ),
    )
    .map(([field, literal]) =>
      JSON.stringify({ ...schema.base, [field]: RAW_MARK }).replace(`"${RAW_MARK}"`, literal),
    );

/** Anything a client might put in a body, weighted towards bodies the route nearly accepts. */
const anyBody = (schema: Schema): fc.Arbitrary<string | Buffer | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(JSON.stringify(schema.base)) },
    { weight: 6, arbitrary: nearValid(schema) },
    { weight: 2, arbitrary: spliced(schema) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.object().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const CONTENT_TYPES: Record<string, ContentClass> = {
  'application/json': 'json',
  'application/json; charset=utf-8': 'json',
  'text/plain': 'other',
  'application/x-www-form-urlencoded': 'other',
  'application/xml': 'other',
  'APPLICATION/JSON': 'unsure',
  'application/problem+json': 'unsure',
  'application/json-seq': 'unsure',
  // fetch labels a string body text/plain and a Buffer nothing.
  '(none)': 'other',
};
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(...Object.keys(CONTENT_TYPES)) },
);

type AuthKind =
  | 'caller'
  | 'caller-lowercase'
  | 'wrong-scope'
  | 'missing'
  | 'junk'
  | 'basic'
  | 'broken-pat'
  | 'revoked-pat';
const authKind = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<AuthKind>('caller', 'caller-lowercase') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<AuthKind>(
      'wrong-scope',
      'missing',
      'junk',
      'basic',
      'broken-pat',
      'revoked-pat',
    ),
  },
);
const headerText = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
});

/** Path segments that name no row: not UUIDs, malformed escapes, dot segments. */
const wellFormed = (text: string) => Buffer.from(text, 'utf8').toString('utf8');
const garbageId = fc.oneof(
  fc.string().map((text) => encodeURIComponent(text)),
  fc.string({ unit: 'binary' }).map((text) => encodeURIComponent(wellFormed(text))),
  fc.constantFrom(
    '..',
    '.',
    '%',
    '%E0%A4%A',
    '%00',
    '%2F',
    'null',
    '-1',
    '00000000-0000-0000-0000-00000000000g',
    '00000000-0000-0000-0000-000000000000',
    '{00000000-0000-0000-0000-000000000000}',
  ),
);

// ---------------------------------------------------------------------------------------------
// Routes and their fixtures.

/**
 * What a path id names: `fresh` a new row of the right kind, `revoked` a revoked PAT, `other`
 * another user's PAT, `disabled`/`deleted` such a user, `self` the admin, `nothing` a UUID of
 * no row, `garbage` no UUID at all.
 */
type Target = 'fresh' | 'revoked' | 'other' | 'disabled' | 'deleted' | 'self' | 'nothing' | 'garbage';
const UNREACHABLE: Target[] = ['other', 'deleted', 'nothing', 'garbage'];

interface Fixture {
  /** The id in the path, when the route has one. */
  id?: string;
  /** What the id names: a PAT, or a user (whose PATs are then watched too). */
  names?: 'pat' | 'user';
  /** A PAT's plaintext that `FRESH_PAT` stands for. */
  pat?: string;
  /** The unused username that `FRESH_NAME` stands for. */
  username: string;
}

interface Row {
  state: string;
  user_id?: string;
  name?: string;
  scopes?: string[];
  revoked?: boolean;
  reason?: string | null;
  rotated_from?: string | null;
  username?: string;
  disabled?: boolean;
  deleted?: boolean;
}

/** Which rows a run looks at one by one; the rest of each table is compared as a checksum. */
interface Watch {
  users: (string | undefined)[];
  pats: (string | undefined)[];
  /** Users whose PATs are watched. */
  owners: (string | undefined)[];
}

interface Snapshot {
  /** Row counts, and the audit trail's checksum. */
  totals: { users: number; pats: number; audit: number; auditSum: string };
  /** Checksums of the rows not watched. */
  rest: { users: string; pats: string };
  /** The watched rows. */
  users: Map<string, Row>;
  pats: Map<string, Row>;
}

interface Change {
  added: string[];
  removed: string[];
  changed: string[];
}

interface Diff {
  users: Change;
  pats: Change;
  audit: number;
}

interface Outcome {
  response: ApiResponse;
  body: Record<string, Json>;
  fixture: Fixture;
  before: Snapshot;
  after: Snapshot;
  diff: Diff;
}

interface WriteRoute {
  name: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: (id: string) => string;
  caller: 'user' | 'admin' | 'open';
  /** Path ids to try; none for routes without one. */
  targets: Target[];
  /** The body the route reads; null when it reads none (DELETE). */
  schema: Schema | null;
  /** Makes the run's fixture for a reachable target. */
  prepare?: (target: Target) => Promise<Fixture>;
  /** What a 2xx must have changed. */
  verify: (outcome: Outcome) => void;
}

const NO_CHANGE: Change = { added: [], removed: [], changed: [] };

async function freshPat(owner: 'alice' | 'bob', revoked: boolean): Promise<Fixture> {
  const made =
    owner === 'alice'
      ? await must(201, 'POST', '/api/v1/tokens', alice.token, { name: 'target', scopes: ['repo:read'] })
      : await must(201, 'POST', `/api/v1/users/${bob.id}/tokens`, server.adminToken, {
          name: 'target',
          scopes: ['repo:read'],
        });
  // Alice revokes her own (so she may restore it); bob's are revoked by the admin.
  if (revoked && owner === 'alice') await must(200, 'POST', `/api/v1/tokens/${made.id}/revoke`, alice.token);
  else if (revoked) await must(200, 'POST', `/api/v1/admin/tokens/${made.id}/revoke`, server.adminToken);
  return { id: made.id, names: 'pat', pat: made.token, username: uniqueName('prop-new') };
}

async function freshUser(then?: 'disable' | 'delete'): Promise<Fixture> {
  const user = await must(201, 'POST', '/api/v1/users', server.adminToken, {
    username: uniqueName('prop-target'),
    entitlements: ENTITLED,
  });
  if (then === 'disable') await must(200, 'POST', `/api/v1/users/${user.id}/disable`, server.adminToken);
  if (then === 'delete') await must(204, 'DELETE', `/api/v1/users/${user.id}`, server.adminToken);
  return { id: user.id, names: 'user', username: uniqueName('prop-new') };
}

const patTarget = (owner: 'alice' | 'bob') => (target: Target) =>
  target === 'other' ? freshPat('bob', false) : freshPat(owner, target === 'revoked');
const userTarget = (target: Target) =>
  target === 'self'
    ? Promise.resolve<Fixture>({ id: server.adminId, names: 'user', username: uniqueName('prop-new') })
    : freshUser(target === 'disabled' ? 'disable' : target === 'deleted' ? 'delete' : undefined);

/**
 * What a created PAT row must hold: the trimmed name, the deduplicated scopes, none beyond
 * what the presenting credential holds (alice's PAT, or for the admin every scope).
 */
function expectIssued(o: Outcome, ownerId: string, held?: readonly string[]) {
  expect(o.response.status).toBe(201);
  expect(o.response.body.token).toEqual(expect.stringMatching(/^tsr_[0-9A-Za-z]{36}$/));
  expect(o.diff).toEqual({ users: NO_CHANGE, pats: { ...NO_CHANGE, added: [o.response.body.id] }, audit: 1 });
  const row = o.after.pats.get(o.response.body.id);
  expect(row?.user_id).toBe(ownerId);
  expect(row?.name).toBe(wellFormed(String(o.body.name).trim()));
  expect(row?.scopes).toEqual([...new Set(o.body.scopes as string[])]);
  if (held) expect(row?.scopes?.filter((scope) => !held.includes(scope))).toEqual([]);
}

/** A revocation that changed the target, or found it revoked already and changed nothing. */
function expectRevoked(o: Outcome, reason: string) {
  const id = o.fixture.id as string;
  const wasActive = o.before.pats.get(id)?.revoked === false;
  expect(o.diff).toEqual({
    users: NO_CHANGE,
    pats: { ...NO_CHANGE, changed: wasActive ? [id] : [] },
    audit: wasActive ? 1 : 0,
  });
  expect(o.after.pats.get(id)?.revoked).toBe(true);
  if (wasActive) expect(o.after.pats.get(id)?.reason).toBe(reason);
}

const routes: WriteRoute[] = [
  {
    name: 'POST /tokens',
    method: 'POST',
    path: () => '/api/v1/tokens',
    caller: 'user',
    targets: [],
    schema: newPat,
    verify: (o) => expectIssued(o, alice.id, ALICE_PAT_SCOPES),
  },
  {
    name: 'POST /tokens/{id}/rotate',
    method: 'POST',
    path: (id) => `/api/v1/tokens/${id}/rotate`,
    caller: 'user',
    targets: ['fresh', 'revoked', 'other', 'nothing', 'garbage'],
    schema: empty,
    prepare: patTarget('alice'),
    verify: (o) => {
      const old = o.fixture.id as string;
      expect(o.response.status).toBe(201);
      expect(o.diff).toEqual({
        users: NO_CHANGE,
        pats: { added: [o.response.body.id], removed: [], changed: [old] },
        audit: 2,
      });
      expect(o.after.pats.get(old)).toMatchObject({ revoked: true, reason: 'rotated' });
      expect(o.after.pats.get(o.response.body.id)).toMatchObject({ revoked: false, rotated_from: old });
      const scopes = o.after.pats.get(o.response.body.id)?.scopes ?? [];
      expect(scopes.filter((scope) => !ALICE_PAT_SCOPES.includes(scope))).toEqual([]);
    },
  },
  {
    name: 'POST /tokens/{id}/revoke',
    method: 'POST',
    path: (id) => `/api/v1/tokens/${id}/revoke`,
    caller: 'user',
    targets: ['fresh', 'revoked', 'other', 'nothing', 'garbage'],
    schema: empty,
    prepare: patTarget('alice'),
    verify: (o) => {
      expect(o.response.status).toBe(200);
      expectRevoked(o, 'revoked');
    },
  },
  {
    name: 'POST /tokens/{id}/restore',
    method: 'POST',
    path: (id) => `/api/v1/tokens/${id}/restore`,
    caller: 'user',
    targets: ['fresh', 'revoked', 'other', 'nothing', 'garbage'],
    schema: empty,
    prepare: patTarget('alice'),
    verify: (o) => {
      const id = o.fixture.id as string;
      expect(o.response.status).toBe(200);
      expect(o.diff).toEqual({ users: NO_CHANGE, pats: { ...NO_CHANGE, changed: [id] }, audit: 1 });
      expect(o.after.pats.get(id)).toMatchObject({ revoked: false, reason: null });
    },
  },
  {
    name: 'DELETE /tokens/{id}',
    method: 'DELETE',
    path: (id) => `/api/v1/tokens/${id}`,
    caller: 'user',
    targets: ['fresh', 'revoked', 'other', 'nothing', 'garbage'],
    schema: null,
    prepare: patTarget('alice'),
    verify: (o) => {
      expect(o.response.status).toBe(204);
      expect(o.diff).toEqual({
        users: NO_CHANGE,
        pats: { ...NO_CHANGE, removed: [o.fixture.id as string] },
        audit: 1,
      });
    },
  },
  {
    name: 'POST /users',
    method: 'POST',
    path: () => '/api/v1/users',
    caller: 'admin',
    targets: [],
    schema: newUser,
    verify: (o) => {
      expect(o.response.status).toBe(201);
      expect(o.diff).toEqual({
        users: { ...NO_CHANGE, added: [o.response.body.id] },
        pats: NO_CHANGE,
        audit: 1,
      });
      expect(o.after.users.get(o.response.body.id)?.username).toBe(o.body.username);
    },
  },
  {
    name: 'POST /users/{id}/tokens',
    method: 'POST',
    path: (id) => `/api/v1/users/${id}/tokens`,
    caller: 'admin',
    targets: ['fresh', 'disabled', 'deleted', 'self', 'nothing', 'garbage'],
    schema: newPat,
    prepare: userTarget,
    verify: (o) => expectIssued(o, o.fixture.id as string),
  },
  ...(['disable', 'enable'] as const).map(
    (action): WriteRoute => ({
      name: `POST /users/{id}/${action}`,
      method: 'POST',
      path: (id) => `/api/v1/users/${id}/${action}`,
      caller: 'admin',
      targets: ['fresh', 'disabled', 'deleted', 'self', 'nothing', 'garbage'],
      schema: empty,
      prepare: userTarget,
      verify: (o) => {
        const id = o.fixture.id as string;
        expect(o.response.status).toBe(200);
        expect(o.after.users.get(id)?.disabled).toBe(action === 'disable');
        const changed = o.before.users.get(id)?.state === o.after.users.get(id)?.state ? [] : [id];
        expect(o.diff).toEqual({ users: { ...NO_CHANGE, changed }, pats: NO_CHANGE, audit: 1 });
      },
    }),
  ),
  {
    name: 'PATCH /users/{id}',
    method: 'PATCH',
    path: (id) => `/api/v1/users/${id}`,
    caller: 'admin',
    targets: ['fresh', 'disabled', 'deleted', 'self', 'nothing', 'garbage'],
    schema: userChange,
    prepare: userTarget,
    verify: (o) => {
      const id = o.fixture.id as string;
      expect(o.response.status).toBe(200);
      const changed = o.before.users.get(id)?.state === o.after.users.get(id)?.state ? [] : [id];
      // A change that changes nothing (`{"admin": false}` for a non-admin) is answered 200 and
      // audited only when something changed: an SSO sign-in re-applies the same groups each time.
      expect(o.diff).toEqual({
        users: { ...NO_CHANGE, changed },
        pats: NO_CHANGE,
        audit: changed.length,
      });
      if (typeof o.body.username === 'string') expect(o.after.users.get(id)?.username).toBe(o.body.username);
    },
  },
  {
    name: 'DELETE /users/{id}',
    method: 'DELETE',
    path: (id) => `/api/v1/users/${id}`,
    caller: 'admin',
    targets: ['fresh', 'disabled', 'deleted', 'self', 'nothing', 'garbage'],
    schema: null,
    prepare: userTarget,
    verify: (o) => {
      const id = o.fixture.id as string;
      expect(o.response.status).toBe(204);
      expect(o.after.users.get(id)?.deleted).toBe(true);
      const theirs = [...o.after.pats.entries()].filter(([, row]) => row.user_id === id);
      expect(theirs.every(([, row]) => row.revoked)).toBe(true);
      const revoked = theirs.filter(([pat]) => !o.before.pats.get(pat)?.revoked).map(([pat]) => pat);
      expect(o.diff).toEqual({
        users: { ...NO_CHANGE, changed: [id] },
        pats: { ...NO_CHANGE, changed: revoked.sort() },
        audit: 1 + revoked.length,
      });
    },
  },
  {
    name: 'POST /admin/tokens/{id}/revoke',
    method: 'POST',
    path: (id) => `/api/v1/admin/tokens/${id}/revoke`,
    caller: 'admin',
    targets: ['fresh', 'revoked', 'nothing', 'garbage'],
    schema: adminRevoke,
    prepare: patTarget('bob'),
    verify: (o) => {
      expect(o.response.status).toBe(200);
      const reason = typeof o.body.reason === 'string' ? `admin: ${wellFormed(o.body.reason.trim())}` : null;
      expectRevoked(o, reason ?? 'revoked by admin');
    },
  },
  {
    name: 'POST /credentials/revoke',
    method: 'POST',
    path: () => '/api/v1/credentials/revoke',
    caller: 'open',
    targets: [],
    schema: leakReport,
    prepare: () => freshPat('bob', false),
    verify: (o) => {
      expect(o.response.status).toBe(202);
      const reported = (o.body.tokens as string[]).includes(o.fixture.pat as string);
      const id = o.fixture.id as string;
      expect(o.diff).toEqual({
        users: NO_CHANGE,
        pats: { ...NO_CHANGE, changed: reported ? [id] : [] },
        audit: reported ? 1 : 0,
      });
      if (reported) expect(o.after.pats.get(id)).toMatchObject({ revoked: true, reason: 'reported leaked' });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Running one request and judging it.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuids = (ids: (string | undefined)[]) => ids.filter((id): id is string => !!id && UUID.test(id));

/**
 * Users and PATs: the watched rows one by one, the rest as a checksum (leaving out the usage
 * columns an authenticated call may touch); the audit trail as a count and a checksum.
 */
async function snapshot(watch: Watch): Promise<Snapshot> {
  const { rows } = await server.database.db.query<Record<string, string | number>>(
    `WITH u AS (
       SELECT id, username, disabled_at IS NOT NULL AS disabled, deleted_at IS NOT NULL AS deleted,
              (id, username, entitlements, service, created_at, disabled_at, deleted_at)::text AS state,
              id = ANY($1::uuid[]) AS watched
         FROM users),
     p AS (
       SELECT id, user_id, name, scopes, revoked_at IS NOT NULL AS revoked, revoked_reason AS reason,
              rotated_from,
              (id, user_id, name, token_hash, hint, scopes, created_at, created_by, expires_at,
               revoked_at, revoked_by, revoked_reason, rotated_from)::text AS state,
              id = ANY($2::uuid[]) OR user_id = ANY($3::uuid[]) AS watched
         FROM pats)
     SELECT
       (SELECT count(*)::int FROM u) AS users,
       (SELECT count(*)::int FROM p) AS pats,
       (SELECT count(*)::int FROM audit_events) AS audit,
       (SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t.id)), '') FROM audit_events t) AS audit_sum,
       (SELECT coalesce(md5(string_agg(state, ',' ORDER BY id)), '') FROM u WHERE NOT watched) AS users_rest,
       (SELECT coalesce(md5(string_agg(state, ',' ORDER BY id)), '') FROM p WHERE NOT watched) AS pats_rest,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'state', state, 'username', username,
                'disabled', disabled, 'deleted', deleted)), '[]')::text FROM u WHERE watched) AS watched_users,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'state', state, 'user_id', user_id, 'name', name,
                'scopes', scopes, 'revoked', revoked, 'reason', reason, 'rotated_from', rotated_from)), '[]')::text
          FROM p WHERE watched) AS watched_pats`,
    [uuids(watch.users), uuids(watch.pats), uuids(watch.owners)],
  );
  const row = rows[0] as Record<string, string | number>;
  const byId = (json: string | number | undefined) =>
    new Map((JSON.parse(String(json)) as (Row & { id: string })[]).map(({ id, ...rest }) => [id, rest]));
  return {
    totals: {
      users: Number(row.users),
      pats: Number(row.pats),
      audit: Number(row.audit),
      auditSum: String(row.audit_sum),
    },
    rest: { users: String(row.users_rest), pats: String(row.pats_rest) },
    users: byId(row.watched_users),
    pats: byId(row.watched_pats),
  };
}

function change(before: Map<string, Row>, after: Map<string, Row>): Change {
  const ids = (map: Map<string, Row>, keep: (id: string) => boolean) => [...map.keys()].filter(keep).sort();
  return {
    added: ids(after, (id) => !before.has(id)),
    removed: ids(before, (id) => !after.has(id)),
    changed: ids(after, (id) => before.has(id) && before.get(id)?.state !== after.get(id)?.state),
  };
}

function authorization(route: WriteRoute, kind: AuthKind, junk: string): string | undefined {
  const caller = route.caller === 'admin' ? server.adminToken : alice.token;
  switch (kind) {
    case 'caller':
      return `Bearer ${caller}`;
    case 'caller-lowercase':
      return `bearer ${caller}`;
    case 'wrong-scope':
      return `Bearer ${route.caller === 'admin' ? alice.token : carol.token}`;
    case 'missing':
      return undefined;
    case 'junk':
      return `Bearer ${junk}`;
    case 'basic':
      return `Basic ${Buffer.from(`${junk}:${junk}`).toString('base64')}`;
    case 'broken-pat':
      return `Bearer ${alice.token.slice(0, -1)}${alice.token.endsWith('A') ? 'B' : 'A'}`;
    case 'revoked-pat':
      return `Bearer ${revokedToken}`;
  }
}

interface Case {
  target: Target | null;
  garbage: string;
  nothing: string;
  body: string | Buffer | undefined;
  contentType: string;
  auth: AuthKind;
  junk: string;
}

function caseOf(route: WriteRoute): fc.Arbitrary<Case> {
  return fc.record({
    target: route.targets.length > 0 ? fc.constantFrom(...route.targets) : fc.constant(null),
    garbage: garbageId,
    nothing: fc.uuid(),
    body: anyBody(route.schema ?? empty),
    contentType,
    auth: authKind,
    junk: headerText,
  });
}

async function fixtureFor(route: WriteRoute, c: Case): Promise<Fixture> {
  if (c.target === 'nothing') return { id: c.nothing, username: uniqueName('prop-new') };
  if (c.target === 'garbage') return { id: c.garbage, username: uniqueName('prop-new') };
  return route.prepare ? route.prepare(c.target ?? 'fresh') : { username: uniqueName('prop-new') };
}

/** The body as sent: placeholders filled in with this run's fresh name and PAT. */
function render(body: string | Buffer | undefined, fixture: Fixture): string | Buffer | undefined {
  if (typeof body !== 'string') return body;
  return body.replaceAll(FRESH_NAME, fixture.username).replaceAll(FRESH_PAT, fixture.pat ?? 'tsr_none');
}

async function check(route: WriteRoute, c: Case): Promise<void> {
  const fixture = await fixtureFor(route, c);
  const raw = render(c.body, fixture);
  const authHeader = authorization(route, c.auth, c.junk);
  const headers: Record<string, string> = authHeader === undefined ? {} : { authorization: authHeader };
  const user = fixture.names === 'user' ? [fixture.id] : [];
  const watch: Watch = { users: user, owners: user, pats: fixture.names === 'pat' ? [fixture.id] : [] };
  const before = await snapshot(watch);
  const logFrom = server.logs.length;
  const response = await server.request(route.method, route.path(fixture.id ?? ''), {
    verbatimPath: true,
    raw,
    ...(c.contentType === '(none)' ? {} : { contentType: c.contentType }),
    headers,
  });

  expect(response.status).toBeLessThan(500);
  expect(server.logs.slice(logFrom).filter((line) => /"level":(50|60)\b/.test(line))).toEqual([]);
  if (response.status >= 400) {
    expectProblem(response, '4xx');
    // Every row is either watched or in a checksum: all of them must be as they were.
    expect(await snapshot(watch)).toEqual(before);
  }

  // Which requests must be refused, whatever the server's state.
  const authenticated = route.caller === 'open' || c.auth === 'caller' || c.auth === 'caller-lowercase';
  const parsed = route.schema ? parsedBody(raw, CONTENT_TYPES[c.contentType] ?? 'unsure') : { value: {} };
  const bodyValid = parsed !== null && !hasNul(parsed.value) && (route.schema ?? empty).valid(parsed.value);
  const reachable = c.target === null || !UNREACHABLE.includes(c.target);
  if (!authenticated && c.target !== 'garbage') {
    expect(response.status).toBe(c.auth === 'wrong-scope' ? 403 : 401);
  }
  if (!authenticated || !bodyValid || !reachable) expect(response.status).toBeGreaterThanOrEqual(400);

  if (response.status < 400) {
    // A created row is watched too; every row outside the watch must be as it was.
    const created = response.body?.id as string | undefined;
    const after = await snapshot({
      ...watch,
      users: [...watch.users, created],
      pats: [...watch.pats, created],
    });
    expect(after.rest).toEqual(before.rest);
    const diff: Diff = {
      users: change(before.users, after.users),
      pats: change(before.pats, after.pats),
      audit: after.totals.audit - before.totals.audit,
    };
    route.verify({
      response,
      body: (parsed?.value ?? {}) as Record<string, Json>,
      fixture,
      before,
      after,
      diff,
    });
  }
}

describe.each(routes)('$name under arbitrary input', (route) => {
  it('never answers 5xx or logs an error, answers errors as problem+json, changes nothing when it refuses, and exactly what it promises when it accepts', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf(route), (c) => check(route, c)),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe('the scope ceiling under arbitrary credentials', () => {
  const GRANTABLE = ['tessera:tokens', 'tessera:admin', 'repo:read', 'repo:write', 'repo:admin'];
  const within = (scopes: readonly string[], bound: readonly string[]) =>
    scopes.every((scope) => bound.includes(scope));

  /** The PAT, or a JWT exchanged from it for `jwtScope`; with the scopes that credential holds. */
  async function credential(pat: string, patScopes: string[], jwtScope: string[] | null) {
    if (jwtScope === null) return { bearer: pat, held: patScopes };
    const answer = await server.exchange(pat, { audience: `${server.url}/api`, scope: jwtScope.join(' ') });
    expect(answer.status).toBe(200);
    return { bearer: answer.body.access_token as string, held: jwtScope };
  }

  it('no PAT or JWT ever creates or rotates a PAT with a scope it did not hold', async () => {
    const scenario = fc
      .record({
        patScopes: fc.subarray(GRANTABLE, { minLength: 1 }),
        extraEntitled: fc.subarray(GRANTABLE),
        viaJwt: fc.boolean(),
        requested: fc.subarray(GRANTABLE, { minLength: 1 }),
        action: fc.constantFrom('create', 'rotate', 'create-for-self'),
      })
      .chain((s) =>
        fc.record({
          s: fc.constant(s),
          jwtScope: s.viaJwt ? fc.subarray(s.patScopes, { minLength: 1 }) : fc.constant(null),
        }),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ s, jwtScope }) => {
        const entitled = [...new Set([...s.patScopes, ...s.extraEntitled, ...s.requested])];
        const made = await server.createUserWithToken(uniqueName('prop-ceiling'), entitled, s.patScopes);
        const { bearer, held } = await credential(made.token, s.patScopes, jwtScope);
        let response: ApiResponse;
        if (s.action === 'rotate') {
          const sibling = await must(201, 'POST', `/api/v1/users/${made.user.id}/tokens`, server.adminToken, {
            name: 'sibling',
            scopes: s.requested,
          });
          response = await server.request('POST', `/api/v1/tokens/${sibling.id}/rotate`, {
            token: bearer,
            body: {},
          });
        } else {
          const path = s.action === 'create' ? '/api/v1/tokens' : `/api/v1/users/${made.user.id}/tokens`;
          response = await server.request('POST', path, {
            token: bearer,
            body: { name: 'minted', scopes: s.requested },
          });
        }
        const needed = s.action === 'create-for-self' ? 'tessera:admin' : 'tessera:tokens';
        if (response.status < 300) {
          expect(within(response.body.scopes, held)).toBe(true);
          expect(response.body.scopes).toEqual(s.requested);
        } else {
          expectProblem(response, 403);
        }
        // Whatever the credential holds within, it may mint.
        expect(response.status === 201).toBe(held.includes(needed) && within(s.requested, held));
        if (response.status === 403 && held.includes(needed))
          expect(response.body.code).toBe('scope_exceeds_credential');
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
