/**
 * The verifier README's Fastify recipe, as written, in a real Fastify 5 app in front of a real
 * Tessera: the suite every recipe passes (test/helpers/verify-recipe.ts).
 */
import Fastify from 'fastify';
import type { TesseraClaims } from 'tessera-jwt-verify';
import { describeRecipe, listening, runRecipe } from '../../helpers/verify-recipe.js';

describeRecipe('Fastify', async (names) => {
  const fastify = Fastify();
  runRecipe('Fastify', { fastify, ...names });
  fastify.get('/repos', async (request) => ({
    // The recipe stores the claims on the request, as its `request.claims = ...` line says.
    sub: (request as typeof request & { claims: TesseraClaims }).claims.sub,
  }));
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { ...(await listening(fastify.server)), close: () => fastify.close() };
});
