/**
 * The DPoP checks every path runs (DESIGN.md, "Sender-constrained tokens"): the token endpoint
 * before it binds a JWT to a key, and `/api/v1` before it accepts a bound JWT. One home for the
 * order: the stateless proof checks (proof.ts), then the nonce (§8, token endpoint only), then
 * the replay ledger (§11.1), so a refused proof never uses up a `jti`.
 */
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/queryable.js';
import { requestUrl } from './htu.js';
import { DatabaseNonceSource, type NonceSource } from './nonce.js';
import { DpopProofError, singleProof, type VerifiedProof, verifyProof } from './proof.js';
import { DatabaseReplayStore, type ProofReplayStore, replayExpiry } from './replay.js';

export interface DpopSettings {
  /** §11.1: a proof's `iat` may be this far from the server's clock, either way. */
  iatSkewSeconds: number;
  /** §8: the token endpoint accepts only proofs carrying a nonce it issued. */
  requireNonce: boolean;
}

export interface DpopRequest {
  /** The `DPoP` header(s) as Node parsed them. */
  header: string | string[] | undefined;
  method: string;
  /** The path the request was routed on (no query): the URL is built from the issuer. */
  path: string;
}

export class DpopChecks {
  constructor(
    private readonly issuer: string,
    readonly settings: DpopSettings,
    private readonly clock: Clock,
    private readonly replay: ProofReplayStore,
    readonly nonces: NonceSource,
  ) {}

  static fromDatabase(db: Queryable, clock: Clock, issuer: string, settings: DpopSettings): DpopChecks {
    return new DpopChecks(
      issuer,
      settings,
      clock,
      new DatabaseReplayStore(db, clock),
      new DatabaseNonceSource(db, clock),
    );
  }

  /**
   * The token endpoint's proof (§5), or null when the request has none. Throws
   * `DpopProofError` (`use_dpop_nonce` with the nonce to use when one is required).
   */
  async tokenRequest(request: DpopRequest): Promise<VerifiedProof | null> {
    const proof = singleProof(request.header);
    if (proof === null) return null;
    const verified = await this.#verify(proof, request, undefined);
    if (this.settings.requireNonce) await this.#checkNonce(verified);
    await this.#consume(verified);
    return verified;
  }

  /** A resource request's proof (§7.1) for `accessToken`, bound to `jkt`. Throws `DpopProofError`. */
  async resourceRequest(request: DpopRequest, accessToken: string, jkt: string): Promise<VerifiedProof> {
    const proof = singleProof(request.header);
    if (proof === null) throw new DpopProofError('no DPoP proof with a DPoP-bound token');
    const verified = await this.#verify(proof, request, accessToken);
    // §7.1: the proof's key must be the one the token is bound to.
    if (verified.jkt !== jkt) throw new DpopProofError('proof key does not match the token cnf.jkt');
    await this.#consume(verified);
    return verified;
  }

  #verify(proof: string, request: DpopRequest, accessToken: string | undefined) {
    return verifyProof(proof, {
      method: request.method,
      url: requestUrl(this.issuer, request.path),
      now: this.clock(),
      iatSkewSeconds: this.settings.iatSkewSeconds,
      accessToken,
    });
  }

  async #checkNonce(proof: VerifiedProof) {
    if (proof.nonce !== undefined && (await this.nonces.isCurrent(proof.nonce))) return;
    const reason = proof.nonce === undefined ? 'nonce required' : 'nonce stale or unknown';
    throw new DpopProofError(reason, 'use_dpop_nonce', await this.nonces.current());
  }

  async #consume(proof: VerifiedProof) {
    const expiresAt = replayExpiry(proof.iat, this.settings.iatSkewSeconds);
    if (!(await this.replay.consume(proof.jkt, proof.jti, expiresAt))) {
      throw new DpopProofError('jti already used (replay)');
    }
  }
}
