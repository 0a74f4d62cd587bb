/**
 * Runs `tessera <args>` in-process through `runCli`, as the `tessera` binary would, and collects
 * what it printed and its exit code.
 */
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout's lines. */
  lines: string[];
  /** stdout parsed as JSON (for `--json` runs). */
  json(): any;
}

/** `stdin`, when given, is what the command reads from standard input (`token report`). */
export async function runTessera(
  args: string[],
  env: Record<string, string | undefined>,
  stdin?: string,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  // Never the machine's own `tessera login` file: a test names its config dir or gets none.
  const isolated = { XDG_CONFIG_HOME: '/nonexistent/tessera-test-config', ...env };
  const code = await runCli(['node', 'tessera', ...args], isolated, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
  });
  const stdout = out.join('\n');
  return { code, stdout, stderr: err.join(''), lines: stdout.split('\n'), json: () => JSON.parse(stdout) };
}

/** The value of a `label: value` line (`token show` and friends). */
export function fieldOf(lines: string[], label: string): string {
  const line = lines.find((l) => l.startsWith(`${label}:`));
  if (line === undefined) throw new Error(`no ${label} field in:\n${lines.join('\n')}`);
  return line.slice(label.length + 1).trim();
}
