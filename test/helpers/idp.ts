/**
 * A real upstream OpenID Provider for sign-in tests: oidc-provider with its development login
 * and consent pages (any login name; fields "login"/"password", buttons "Sign-in" and
 * "Continue"), one confidential client, PKCE required. It listens on 127.0.0.2, another host
 * than Tessera's 127.0.0.1, so the two oidc-providers' cookies never mix in the browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export const IDP_CLIENT_ID = 'tessera-console';
export const IDP_CLIENT_SECRET = 'test-client-secret-0123456789';

export interface TestIdp {
  issuer: string;
  /** The groups claim each login name gets (unset: none). */
  groups: Map<string, string[]>;
  stop(): Promise<void>;
}

export async function startTestIdp(redirectUris: string[]): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const issuer = `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'idp-key', alg: 'ES256', use: 'sig' };
  const groups = new Map<string, string[]>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: IDP_CLIENT_ID,
        client_secret: IDP_CLIENT_SECRET,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk] as never },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email'],
      groups: ['groups'],
    },
    // The dev IdP would otherwise put only `sub` in the ID token and the rest behind userinfo.
    conformIdTokenClaims: false,
    cookies: { keys: ['test-idp-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        preferred_username: id,
        email: `${id}@example.com`,
        groups: groups.get(id) ?? [],
      }),
    }),
  });
  server.on('request', provider.callback());
  return {
    issuer,
    groups,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
