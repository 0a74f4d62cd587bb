/** What the token-exchange grant may use: no more than its checks need (not the whole service bag). */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { JwtSubjectDeps } from '../delegation/jwt-subject.js';
import type { DpopChecks } from '../dpop/service.js';
import type { KeyRecord } from '../keys/key-file.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { FederatedSubjectDeps } from './federated-subject.js';
import type { PatSubjectDeps } from './pat-subject.js';

export interface ExchangeDeps {
  clock: Clock;
  logger: Logger;
  /** The issuer; clients (may they use the grant, which audiences), resources and the default audience. */
  config: Pick<Config, 'issuer' | 'clients' | 'resources' | 'defaultAudience'>;
  /** Tessera JWTs as chained subjects (delegation/): verified against the published keys. */
  delegation: JwtSubjectDeps;
  /** PATs as subject tokens. */
  pats: PatSubjectDeps;
  /** External OIDC tokens as subject tokens, through trust policies. */
  federated: FederatedSubjectDeps;
  /** The key exchanged JWTs are signed with now. */
  signingKey: () => KeyRecord;
  /** DPoP proofs at the token endpoint (RFC 9449 §5). */
  dpop: Pick<DpopChecks, 'tokenRequest'>;
}

export function exchangeDeps(
  services: Services,
  signingKey: () => KeyRecord,
  keys: () => KeyRing,
): ExchangeDeps {
  const { clock, config, db } = services;
  return {
    clock,
    logger: services.logger,
    config: {
      issuer: config.issuer,
      clients: config.clients,
      resources: config.resources,
      defaultAudience: config.defaultAudience,
    },
    pats: { lookup: services.patLookup, usage: services.usage, prefix: config.tokens.prefix },
    federated: {
      db,
      clock,
      policies: services.policyLookup,
      issuerKeys: services.issuerKeys,
      federation: config.federation,
    },
    signingKey,
    delegation: { db, issuer: config.issuer, keys, maxActorDepth: config.exchange.maxActorDepth },
    dpop: services.dpop,
  };
}
