/**
 * `/console/assets/*`: the console's stylesheet and script, files shipped in the package
 * (`assets/console/`) and read once at start. No CDN: the console works with no network beyond
 * Tessera itself, and the CSP allows only these same-origin files.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Context, Next } from 'koa';

const DIR = new URL('../../assets/console/', import.meta.url);
const FILES: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function load(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(FILES)) {
    const body = readFileSync(new URL(name, DIR));
    assets.set(`/console/assets/${name}`, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
    });
  }
  return assets;
}

export function consoleAssets() {
  const assets = load();
  return async (ctx: Context, next: Next) => {
    const asset = ctx.method === 'GET' || ctx.method === 'HEAD' ? assets.get(ctx.path) : undefined;
    if (!asset) return next();
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('ETag', asset.etag);
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
