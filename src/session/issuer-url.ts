/**
 * Which upstream IdP URLs Tessera talks to: the shared rule (`src/net/secure-url.ts`), so a
 * misconfiguration cannot send an authorization code or client secret over the network in clear.
 */
import { secureUrlRefusal } from '../net/secure-url.js';

export const isAllowedIssuerUrl = (text: string): boolean => secureUrlRefusal(text) === null;
