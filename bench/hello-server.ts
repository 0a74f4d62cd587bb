/** A Koa hello-world: the floor for serving a small cached body (compared with the JWKS). */
import Koa from 'koa';

const app = new Koa();
const body = JSON.stringify({ hello: 'world' });
app.use((ctx) => {
  ctx.type = 'application/json';
  ctx.body = body;
});
app.listen(Number(process.env.PORT ?? 4003), '127.0.0.1');
