/** The package's version, read from package.json (two levels up from src/cli and dist/cli alike). */
import { readFileSync } from 'node:fs';

export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Sent on every request, so the audit trail tells CLI calls from other clients. */
export const CLI_USER_AGENT = `tessera-cli/${CLI_VERSION}`;
