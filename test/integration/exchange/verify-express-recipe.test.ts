/**
 * The verifier README's Express recipe, as written, in a real Express 5 app in front of a real
 * Tessera: the suite every recipe passes (test/helpers/verify-recipe.ts).
 */
import express from 'express';
import type { TesseraClaims } from 'tessera-jwt-verify';
import { describeRecipe, listening, runRecipe } from '../../helpers/verify-recipe.js';

describeRecipe('Express', async (names) => {
  const app = express();
  runRecipe('Express', { app, ...names });
  app.get('/repos', (req, res) => {
    // The recipe stores the claims on the request, as its `req.claims = ...` line says.
    res.json({ sub: (req as typeof req & { claims: TesseraClaims }).claims.sub });
  });
  return listening(app.listen(0, '127.0.0.1'));
});
