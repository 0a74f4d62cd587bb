/**
 * The render-once banner: the only page that ever shows a new token's secret. It is sent with
 * `Cache-Control: no-store`; the secret is in no other page, log line or audit row.
 */
import { type Html, h } from '../jsx.js';
import { Layout, type Viewer } from './layout.js';
import type { PresentedPat } from './token-table.js';

export interface Issued {
  viewer: Viewer;
  pat: PresentedPat;
  token: string;
  issuer: string;
  audience: string;
  /** Where "Done" leads. */
  back: string;
}

function snippet(issued: Issued): string {
  return [
    `export TESSERA_TOKEN='${issued.token}'`,
    `curl -s -X POST ${issued.issuer}/token \\`,
    '  -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\',
    '  -d subject_token="$TESSERA_TOKEN" \\',
    '  -d subject_token_type=urn:ietf:params:oauth:token-type:access_token \\',
    `  -d audience=${issued.audience}`,
  ].join('\n');
}

export function newTokenBanner(issued: Issued): Html {
  return (
    <Layout title="Your new token" viewer={issued.viewer}>
      <h1>
        Token “{issued.pat.name}” {issued.pat.rotated_from ? 'rotated' : 'created'}
      </h1>
      <p role="status" class="notice">
        {issued.pat.rotated_from
          ? 'Token rotated: this new secret replaces the old one, which stopped working.'
          : 'Token created.'}
      </p>
      <div role="alert" class="banner">
        <p>
          <strong>Copy your new token now. It will not be shown again.</strong>
        </p>
        <p class="secret">
          <code data-testid="new-token" id="new-token">
            {issued.token}
          </code>{' '}
          <button type="button" data-copy="new-token">
            Copy
          </button>
        </p>
      </div>
      <h2>Use it</h2>
      <p>Exchange it for a short-lived access token:</p>
      <pre>
        <code>{snippet(issued)}</code>
      </pre>
      <p>
        Scopes: {issued.pat.scopes.join(' ')}. <a href={issued.back}>Done</a>
      </p>
    </Layout>
  );
}
