// @types/oidc-provider 9.12 lacks `provider.ResourceServer` (oidc-provider's public
// `Provider#ResourceServer` getter): declare the piece Tessera uses.
import type { ResourceServer, ResourceServerInstance } from 'oidc-provider';

declare module 'oidc-provider' {
  interface Provider {
    readonly ResourceServer: new (identifier: string, data: ResourceServer) => ResourceServerInstance;
  }
}
