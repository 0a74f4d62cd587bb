/**
 * `tessera login` / `logout`: a token kept in the OS-conventional config file, so people need
 * not export TESSERA_TOKEN in every shell. `$XDG_CONFIG_HOME/tessera/config.json` (else
 * `~/.config/tessera/config.json`), the file 0600 and its directory 0700, as ssh and gh keep
 * secrets; TESSERA_URL and TESSERA_TOKEN, when set, win over it.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadClientConfig } from '../config.js';
import { apiClient, CliError } from './client.js';
import { EXIT } from './exit-codes.js';
import type { TokenInput } from './token-report.js';

type Env = Record<string, string | undefined>;

export function loginFile(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'tessera', 'config.json');
}

const storedSchema = z.object({ url: z.string(), token: z.string() });

/** The stored login, or nothing when there is none (or it is unreadable: then the env decides). */
function readLogin(env: Env): z.output<typeof storedSchema> | undefined {
  try {
    return storedSchema.parse(JSON.parse(readFileSync(loginFile(env), 'utf8')));
  } catch {
    return undefined;
  }
}

/** The client's URL and token: the environment first, then the stored login. */
export function clientSettings(env: Env) {
  const stored = readLogin(env);
  return loadClientConfig({
    ...env,
    TESSERA_URL: env.TESSERA_URL ?? stored?.url,
    TESSERA_TOKEN: env.TESSERA_TOKEN ?? stored?.token,
  });
}

async function readFirstLine(input: TokenInput): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const token = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!token) throw new CliError('no token on stdin: tessera login < token-file', EXIT.usage);
  return token;
}

function writeLogin(file: string, url: string, token: string) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(dirname(file), 0o700);
  writeFileSync(file, `${JSON.stringify({ url, token }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function registerLoginCommands(
  program: Command,
  env: Env,
  input: () => TokenInput,
  out: (text: string) => void,
) {
  program
    .command('login')
    .description('keep a token (from stdin) for later commands')
    .option('--url <url>', 'the server (default: TESSERA_URL, else http://localhost:3000)')
    .action(async (opts: { url?: string }) => {
      // Read from stdin, never argv: a token in argv lands in shell history and `ps`.
      const token = await readFirstLine(input());
      const { url } = loadClientConfig({ ...env, TESSERA_URL: opts.url ?? env.TESSERA_URL });
      const me = await apiClient({ url, token }).request<{ username: string }>('GET', '/api/v1/me');
      const file = loginFile(env);
      writeLogin(file, url, token);
      out(`logged in to ${url} as ${me.username}; token kept in ${file} (tessera logout removes it)`);
    });

  program
    .command('logout')
    .description('remove the token tessera login kept')
    .action(() => {
      const file = loginFile(env);
      rmSync(file, { force: true });
      out(`removed ${file}`);
    });
}
