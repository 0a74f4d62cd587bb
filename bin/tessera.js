#!/usr/bin/env node
// The `tessera` command runs the compiled CLI (`npm run build` compiles it; `npm start` does too).
await import('../dist/cli/entry.js');
