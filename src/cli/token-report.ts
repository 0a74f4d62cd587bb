/**
 * `tessera token report`: report leaked PATs (anyone's) so that they are revoked, through
 * `POST /api/v1/credentials/revoke`. The tokens are read from stdin, never from the command line,
 * where they would land in shell history and in every `ps` listing; nothing printed names them.
 */
import type { Command } from 'commander';
import { type ApiClient, CliError } from './client.js';
import { EXIT } from './exit-codes.js';
import { printJson } from './format.js';

/** What the API takes in one call, and the longest string it accepts as a token. */
const BATCH = 100;
const MAX_TOKEN_LENGTH = 256;

/** The readable end the tokens come from: `process.stdin`, or a stream in tests. */
export type TokenInput = AsyncIterable<string | Buffer> & { isTTY?: boolean };

/** One token a line; blank lines and repeats skipped. Errors name line numbers, never content. */
export async function readTokens(input: TokenInput): Promise<string[]> {
  // A terminal would show each pasted secret on screen (and in its scrollback): ask for a pipe.
  if (input.isTTY) {
    throw new CliError(
      'reads tokens from stdin: pipe them in, e.g. tessera token report < leaked.txt',
      EXIT.usage,
    );
  }
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const long = lines.findIndex((line) => line.length > MAX_TOKEN_LENGTH);
  if (long >= 0) throw new CliError(`line ${long + 1} is longer than a token can be`, EXIT.usage);
  const tokens = [...new Set(lines.filter(Boolean))];
  if (tokens.length === 0) throw new CliError('no tokens on stdin (one a line)', EXIT.usage);
  return tokens;
}

export function registerTokenReportCommand(
  token: Command,
  publicClient: () => ApiClient,
  input: () => TokenInput,
  out: (text: string) => void,
) {
  token
    .command('report')
    .description("revoke leaked tokens (anyone's), read from stdin, one a line")
    .option('--json', 'print the API response')
    .action(async (opts: { json?: boolean }) => {
      const tokens = await readTokens(input());
      const api = publicClient();
      let answer: unknown;
      for (let at = 0; at < tokens.length; at += BATCH) {
        answer = await api.request('POST', '/api/v1/credentials/revoke', {
          tokens: tokens.slice(at, at + BATCH),
        });
      }
      // The server answers the same whatever it found, so that it is no oracle: so does the CLI.
      out(
        opts.json
          ? printJson(answer)
          : `reported ${tokens.length} token${tokens.length === 1 ? '' : 's'}: any still active are now revoked`,
      );
    });
}
