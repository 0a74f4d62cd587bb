/** `tessera exchange`: swap `TESSERA_TOKEN` (a PAT) for a short-lived JWT (RFC 8693). */
import type { Command } from 'commander';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../exchange/constants.js';
import { CliError, missingToken, REQUEST_TIMEOUT_MS, unreachable } from './client.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import { splitScopes } from './format.js';
import { CLI_USER_AGENT } from './version.js';

interface ExchangeResponse {
  access_token?: string;
  error?: string;
  error_description?: string;
}

export function registerExchangeCommand(
  program: Command,
  settings: () => { url: string; token: string | undefined },
  out: (text: string) => void,
) {
  program
    .command('exchange')
    .description('exchange your PAT for a JWT access token and print it')
    .option('--audience <audience>', 'the resource the JWT is for (default: defaultAudience)')
    .option('--scope <scopes>', 'scopes, by commas or spaces (default: all the PAT allows)')
    .option('--json', 'print the whole token response')
    .action(async (opts: { audience?: string; scope?: string; json?: boolean }) => {
      const { url, token } = settings();
      if (!token) throw missingToken();
      const form = new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: token,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      if (opts.audience) form.set('audience', opts.audience);
      if (opts.scope) form.set('scope', splitScopes(opts.scope).join(' '));
      let response: Response;
      try {
        response = await fetch(`${url}/token`, {
          method: 'POST',
          headers: { 'user-agent': CLI_USER_AGENT },
          body: form,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        throw unreachable(url, error, REQUEST_TIMEOUT_MS);
      }
      const body = (await response.json().catch(() => ({}))) as ExchangeResponse;
      if (!response.ok || !body.access_token) {
        throw new CliError(
          `${response.status} ${body.error ?? ''}: ${body.error_description ?? 'exchange failed'}`,
          response.ok ? EXIT.failed : exitCodeForStatus(response.status),
        );
      }
      out(opts.json ? JSON.stringify(body, null, 2) : body.access_token);
    });
}
