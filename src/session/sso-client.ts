/**
 * The OpenID Connect relying party (openid-client 6): authorization code with PKCE, `state` and
 * `nonce`. Discovery is fetched on first use and kept; a failed discovery is retried next time.
 * Plain-http requests are allowed only for an IdP on a loopback host (tests, local development).
 */
import * as oidc from 'openid-client';
import type { OidcLoginConfig } from '../config.js';
import { isLoopbackHttp } from '../net/secure-url.js';

export interface AuthorizationStart {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class SsoClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: OidcLoginConfig,
    readonly redirectUri: string,
  ) {}

  private discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const options = isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined;
    this.configuration ??= oidc
      .discovery(
        issuer,
        this.settings.clientId,
        undefined,
        oidc.ClientSecretPost(this.settings.clientSecret),
        options,
      )
      .catch((error) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  async start(): Promise<AuthorizationStart> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Redeems the code; throws on an IdP error, a state, nonce or PKCE mismatch, or a bad ID token. */
  async finish(callbackUrl: URL, expected: { state: string; nonce: string; codeVerifier: string }) {
    const configuration = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      pkceCodeVerifier: expected.codeVerifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    return { ...claims } as Record<string, unknown>;
  }
}
