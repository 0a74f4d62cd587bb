#!/usr/bin/env node
/** Entry point of the `tessera` command (bin/tessera.js runs the compiled copy). */
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv, process.env);
