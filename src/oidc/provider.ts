/**
 * The oidc-provider instance: issuer, clients, signing keys and the token-exchange grant.
 * Only its public API is used (no imports from `oidc-provider/lib/...`).
 */
import type { Context } from 'koa';
import Provider, {
  type ClientMetadata,
  type Configuration,
  type TokenEndpointGrantContext,
} from 'oidc-provider';
import type { Config } from '../config.js';
import {
  EXCHANGE_PARAMETERS,
  PUBLIC_CLIENT_ID,
  REPEATABLE_PARAMETERS,
  TOKEN_EXCHANGE_GRANT,
} from '../exchange/constants.js';
import { type ExchangeDeps, exchangeDeps } from '../exchange/deps.js';
import { type ExchangeCall, exchangeToken } from '../exchange/grant.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Services } from '../services.js';
import { NullAdapter } from './adapter.js';
import { exchangeCallOf } from './exchange-call.js';
import { reportGrantOutcome } from './grant-outcome.js';
import { quietParsedBodyNotice } from './token-form.js';

function clients(config: Config): ClientMetadata[] {
  const common = { grant_types: [TOKEN_EXCHANGE_GRANT], response_types: [], redirect_uris: [] };
  return [
    { ...common, client_id: PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none' as const },
    ...config.clients.map((client) => ({
      ...common,
      client_id: client.client_id,
      client_secret: client.client_secret,
      token_endpoint_auth_method: 'client_secret_basic' as const,
    })),
  ];
}

function configuration(config: Config, keys: KeyRing): Configuration {
  return {
    adapter: NullAdapter,
    clients: clients(config),
    jwks: { keys: keys.published.map((k) => k.jwk) as NonNullable<Configuration['jwks']>['keys'] },
    clientDefaults: { id_token_signed_response_alg: keys.signing.alg, grant_types: [TOKEN_EXCHANGE_GRANT] },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    scopes: Object.keys(config.scopes),
    responseTypes: ['none'],
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      userinfo: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      registration: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      resourceIndicators: { enabled: false },
    },
    findAccount: () => undefined,
  };
}

/** The grant as oidc-provider calls it: runs it, reports its outcome, renders it. */
function exchangeGrant(deps: ExchangeDeps) {
  return async (ctx: TokenEndpointGrantContext): Promise<void> => {
    const { client, params } = ctx.oidc;
    const call = exchangeCallOf(ctx as unknown as Context, client.clientId, params as ExchangeCall['params']);
    const outcome = await exchangeToken(deps, call);
    reportGrantOutcome(outcome);
    if (outcome.kind === 'denied') throw outcome.error;
    ctx.body = outcome.response;
  };
}

export function buildProvider(services: Services, keys: KeyRing): Provider {
  const { config } = services;
  const provider = new Provider(config.issuer, configuration(config, keys));
  quietParsedBodyNotice();
  const deps = exchangeDeps(
    services,
    () => keys.signing,
    () => keys,
  );
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    exchangeGrant(deps),
    EXCHANGE_PARAMETERS,
    REPEATABLE_PARAMETERS,
  );
  return provider;
}
