/** `tessera exchange`: swap `TESSERA_TOKEN` (a PAT) for a short-lived JWT (RFC 8693). */
import type { Command } from 'commander';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../exchange/constants.js';
import { CliError } from './client.js';

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
    .option('--audience <audience>', 'the resource the JWT is for (default: the configured default)')
    .option('--scope <scopes>', 'space- or comma-separated scopes (default: all the PAT allows there)')
    .option('--json', 'print the whole token response')
    .action(async (opts: { audience?: string; scope?: string; json?: boolean }) => {
      const { url, token } = settings();
      if (!token) throw new CliError('TESSERA_TOKEN is not set: export a personal access token first');
      const form = new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: token,
        subject_token_type: ACCESS_TOKEN_TYPE,
      });
      if (opts.audience) form.set('audience', opts.audience);
      if (opts.scope) form.set('scope', opts.scope.split(/[ ,]+/).filter(Boolean).join(' '));
      let response: Response;
      try {
        response = await fetch(`${url}/token`, { method: 'POST', body: form });
      } catch (error) {
        throw new CliError(`cannot reach ${url}: ${(error as Error).message}`);
      }
      const body = (await response.json().catch(() => ({}))) as ExchangeResponse;
      if (!response.ok || !body.access_token) {
        throw new CliError(
          `${response.status} ${body.error ?? ''}: ${body.error_description ?? 'exchange failed'}`,
        );
      }
      out(opts.json ? JSON.stringify(body, null, 2) : body.access_token);
    });
}
