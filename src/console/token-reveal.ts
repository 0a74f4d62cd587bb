/**
 * The one page that shows a new token (issue 18): it takes the secret held for this session
 * (session/reveal.ts) and shows the render-once banner; a reload finds it gone and says the
 * token was already shown. `no-store`, as every console page.
 */
import { Router } from '@koa/router';
import { presentPat } from '../api/presenters.js';
import { pathId } from '../http/params.js';
import { findPatById } from '../pat/repository.js';
import { takeToken } from '../session/reveal.js';
import { type ConsoleDeps, sendPage, sessionOf, viewerOf } from './context.js';
import { errorPage } from './views/error.js';
import { newTokenBanner } from './views/new-token.js';

export const ALREADY_SHOWN = 'This token was already shown';

export function tokenRevealRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });

  router.get('/console/tokens/issued/:slot', async (ctx) => {
    const slot = pathId(ctx.params.slot, 'page');
    const held = await takeToken(deps.db, deps.clock, sessionOf(ctx), slot);
    const pat = held ? await findPatById(deps.db, held.patId) : null;
    if (!held || !pat) {
      const detail =
        'A token is shown once, on the page that follows its creation. It cannot be shown again: rotate it if you lost it.';
      return sendPage(
        ctx,
        errorPage({ status: 410, title: ALREADY_SHOWN, detail, viewer: viewerOf(ctx) }),
        410,
      );
    }
    const { issuer, defaultAudience } = deps.config;
    sendPage(
      ctx,
      newTokenBanner({
        viewer: viewerOf(ctx),
        pat: presentPat(pat, deps.clock()),
        token: held.token,
        issuer,
        audience: defaultAudience,
        back: held.back,
      }),
    );
  });

  return router;
}
