/**
 * The verifier README's Koa recipe, as written, in a real Koa app in front of a real Tessera:
 * the suite every recipe passes (test/helpers/verify-recipe.ts).
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import type { TesseraClaims } from 'tessera-jwt-verify';
import { describeRecipe, listening, runRecipe } from '../../helpers/verify-recipe.js';

describeRecipe('Koa', async (names) => {
  const app = new Koa<{ claims: TesseraClaims }>();
  runRecipe('Koa', { app, ...names });
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.claims.sub };
  });
  return listening(createServer(app.callback()).listen(0, '127.0.0.1'));
});
