/** `/console/sign-in`: "Sign in with SSO" when an IdP is configured, and the access-token form. */
import { type Html, h } from '../jsx.js';
import { ErrorSummary, Layout } from './layout.js';

export interface SignInOptions {
  sso: boolean;
  tokenSignIn: boolean;
  returnTo: string;
  error?: string | undefined;
}

export function signInPage(options: SignInOptions): Html {
  const query = new URLSearchParams({ return_to: options.returnTo }).toString();
  return (
    <Layout title="Sign in" viewer={null}>
      <h1>Sign in to Tessera</h1>
      <ErrorSummary errors={options.error ? [options.error] : []} />
      {options.sso && (
        <p>
          <a href={`/console/sso?${query}`} class="button">
            Sign in with SSO
          </a>
        </p>
      )}
      {options.tokenSignIn && (
        <form method="post" action="/console/sign-in" class="card">
          <input type="hidden" name="return_to" value={options.returnTo} />
          <label for="token">Access token</label>
          <p class="hint" id="token-hint">
            A personal access token that carries tessera:tokens, such as the bootstrap admin token. The
            session then holds that token's scopes only, not everything you are entitled to: the tokens you
            create here can carry no more than it does.
            {options.sso ? ' Sign in with SSO to use all of your entitlements.' : ''}
          </p>
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="off"
            spellcheck="false"
            required
            aria-describedby="token-hint"
          />
          <button type="submit">Sign in</button>
        </form>
      )}
      {!options.sso && !options.tokenSignIn && <p>No sign-in method is enabled on this server.</p>}
    </Layout>
  );
}
