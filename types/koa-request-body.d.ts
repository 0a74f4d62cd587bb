// The parsed JSON body that src/api/json-body.ts puts on the request.
import 'koa';

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
