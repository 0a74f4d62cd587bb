/**
 * The soak's traffic: its users, each PAT it made with what it did to it, and the weighted mix of
 * operations, each checking its answer against what the soak itself did.
 */
import { exchangeForm } from '../lib/tessera.js';
import type { Client } from './client.js';
import { is, type Tally } from './tally.js';

const USERS = 16;
const SEED_TOKENS_PER_USER = 8;
/** Weighted mix of operations (per cent). */
const MIX = { exchange: 70, create: 10, list: 15, revoke: 5 } as const;
type Operation = keyof typeof MIX;
const wheel: Operation[] = (Object.entries(MIX) as [Operation, number][]).flatMap(([op, weight]) =>
  Array(weight).fill(op),
);

interface User {
  id: string;
  /** A PAT with `tessera:tokens`, for the user's own API calls (never revoked). */
  manager: string;
}

interface Pat {
  id: string;
  token: string;
  user: User;
  /** `revoking` from the moment the revoke is sent until its 200 arrives. */
  state: 'active' | 'revoking' | 'revoked';
}

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function removeFrom(list: Pat[], pat: Pat) {
  const at = list.indexOf(pat);
  if (at >= 0) {
    list[at] = list[list.length - 1] as Pat;
    list.pop();
  }
}

export class Traffic {
  readonly users: User[] = [];
  readonly active: Pat[] = [];
  readonly revoked: Pat[] = [];
  private created = 0;
  private readonly operations: Record<Operation, () => Promise<void>> = {
    exchange: () => this.exchange(),
    create: () => this.create(),
    list: () => this.list(),
    revoke: () => this.revoke(),
  };

  constructor(
    private readonly client: Client,
    private readonly tally: Tally,
  ) {}

  /** Users with `tessera:tokens` and a manager PAT each, and a few PATs to exchange per user. */
  async setUp(admin: string): Promise<void> {
    const run = Date.now().toString(36);
    for (let i = 0; i < USERS; i++) {
      const user = await this.client.api('POST', '/api/v1/users', admin, {
        username: `soak-${run}-${i}`,
        entitlements: ['repo:read', 'repo:write', 'tessera:tokens'],
      });
      if (user.status !== 201) throw new Error(`setup: user ${user.status} ${JSON.stringify(user.body)}`);
      const manager = await this.mint(admin, user.body.id, 'soak manager', 'tessera:tokens');
      const owner: User = { id: user.body.id, manager: manager.token };
      this.users.push(owner);
      for (let j = 0; j < SEED_TOKENS_PER_USER; j++) {
        const pat = await this.mint(admin, owner.id, `seed-${j}`, 'repo:read');
        this.active.push({ ...pat, user: owner, state: 'active' });
      }
    }
  }

  /** One operation drawn from the mix. */
  step(): Promise<void> {
    return this.operations[pick(wheel)]();
  }

  private async mint(admin: string, userId: string, name: string, scope: string) {
    const answer = await this.client.api('POST', `/api/v1/users/${userId}/tokens`, admin, {
      name,
      scopes: [scope],
    });
    if (answer.status !== 201) throw new Error(`setup: token ${answer.status}`);
    return { id: answer.body.id as string, token: answer.body.token as string };
  }

  private async exchange() {
    // Mostly PATs the soak left active; one in ten from those it revoked, which must be refused.
    const pat = this.revoked.length > 0 && Math.random() < 0.1 ? pick(this.revoked) : pick(this.active);
    const before = pat.state;
    const answer = await this.client.call(
      'POST',
      '/token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      exchangeForm(pat.token),
    );
    const after = pat.state;
    // A revoke racing with the exchange makes either answer right; otherwise exactly one is.
    const expected =
      before === 'active' && after === 'active'
        ? is(200)
        : before === 'revoked'
          ? (status: number) => status === 400 && answer.body?.error === 'invalid_request'
          : is(200, 400);
    this.tally.record('exchange', answer, expected);
  }

  private async create() {
    const user = pick(this.users);
    const answer = await this.client.api('POST', '/api/v1/tokens', user.manager, {
      name: `soak-${++this.created}`,
      scopes: ['repo:read'],
    });
    this.tally.record('create', answer, is(201));
    if (answer.status === 201) {
      this.active.push({ id: answer.body.id, token: answer.body.token, user, state: 'active' });
    }
  }

  private async list() {
    // A user's PATs, a page of 50 at a time, following next_cursor for up to three pages.
    const user = pick(this.users);
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const answer = await this.client.api('GET', `/api/v1/tokens?limit=50${query}`, user.manager);
      this.tally.record('list', answer, (status) => status === 200 && Array.isArray(answer.body?.items));
      cursor = answer.status === 200 ? (answer.body.next_cursor ?? null) : null;
      if (!cursor) break;
    }
  }

  private async revoke() {
    // Keep a working pool: revoke only while more than a handful stay active.
    if (this.active.length <= USERS * 2) return this.exchange();
    const pat = pick(this.active);
    removeFrom(this.active, pat);
    pat.state = 'revoking';
    const answer = await this.client.api('POST', `/api/v1/tokens/${pat.id}/revoke`, pat.user.manager, {});
    this.tally.record('revoke', answer, is(200));
    // On any other answer the outcome is unknown: the PAT stays out of both pools, so that no
    // later answer is misjudged.
    if (answer.status === 200) {
      pat.state = 'revoked';
      this.revoked.push(pat);
    }
  }
}
