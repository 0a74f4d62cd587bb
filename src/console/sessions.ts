/** "Your sessions": the signed-in user's open sessions, and signing out all the others. */
import { Router } from '@koa/router';
import { endOtherSessions, listOpenSessions } from '../session/repository.js';
import { type ConsoleDeps, seeOther, sendPage, sessionOf, viewerOf } from './context.js';
import { sessionsPage } from './views/sessions.js';

export function sessionRoutes(deps: ConsoleDeps): Router {
  const router = new Router({ sensitive: true });
  router.get('/console/sessions', async (ctx) => {
    const session = sessionOf(ctx);
    const now = deps.clock();
    const idleSince = new Date(now.getTime() - deps.config.console.sessionIdleMinutes * 60_000);
    const sessions = await listOpenSessions(deps.db, session.user.id, now, idleSince);
    sendPage(
      ctx,
      sessionsPage({ viewer: viewerOf(ctx), sessions, currentId: session.id, now: deps.clock() }),
    );
  });
  router.post('/console/sessions/sign-out-others', async (ctx) => {
    const session = sessionOf(ctx);
    await endOtherSessions(deps.db, session.user.id, session.id, deps.clock());
    seeOther(ctx, '/console/sessions');
  });
  return router;
}
