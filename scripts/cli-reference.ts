/** Prints docs/cli.md's CLI reference block from the command tree: `npx tsx scripts/cli-reference.ts`. */
import { buildCli } from '../src/cli/main.js';
import { cliReference } from '../src/cli/reference.js';

process.stdout.write(`${cliReference(buildCli({}, () => {}))}\n`);
