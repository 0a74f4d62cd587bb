/**
 * The federated hot path's one query: the trust policies of a token's issuer, with their users'
 * entitlements. Lookups asked for in the same turn of the event loop share one statement
 * (`issuer = ANY($1)`), as PAT lookups do (pat/hash-lookup.ts): a CI fleet's exchanges name few
 * issuers, so N exchanges arriving together pay the statement's fixed cost once.
 *
 * Nothing is cached: every answer comes from a statement that starts after the request
 * arrived, so a policy deleted or changed before it is seen by it, on every instance.
 */
import type { Queryable } from '../db/queryable.js';
import { type IssuerPolicy, POLICIES_OF_ISSUERS } from './repository.js';

/** One statement answers at most this many distinct issuers; more are split over several. */
export const MAX_ISSUERS = 64;

interface Waiting {
  issuer: string;
  resolve: (policies: IssuerPolicy[]) => void;
  reject: (error: unknown) => void;
}

export class IssuerPolicyLookup {
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(private readonly db: Queryable) {}

  /** Every policy naming `issuer` (none for an issuer no policy names). */
  find(issuer: string): Promise<IssuerPolicy[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ issuer, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After the I/O callbacks of this turn: every request that arrived with this one joins.
        setImmediate(() => this.#dispatch());
      }
    });
  }

  #dispatch(): void {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    const issuers = [...new Set(waiting.map((w) => w.issuer))];
    for (let i = 0; i < issuers.length; i += MAX_ISSUERS) {
      const chunk = new Set(issuers.slice(i, i + MAX_ISSUERS));
      void this.#run(
        [...chunk],
        waiting.filter((w) => chunk.has(w.issuer)),
      );
    }
  }

  async #run(issuers: string[], batch: Waiting[]): Promise<void> {
    try {
      const { rows } = await this.db.query<IssuerPolicy>(
        POLICIES_OF_ISSUERS,
        [issuers],
        'trust-policies-of-issuers',
      );
      for (const w of batch) w.resolve(rows.filter((row) => row.issuer === w.issuer));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
