/** `GET /api/v1/openapi.json`: the API's description, public like a discovery document. */

import { z } from 'zod';
import { type Operation, operation } from '../operation.js';
import { API_OPERATIONS } from '../operations.js';
import { buildOpenApi } from './document.js';

/** Built once per issuer: it depends on nothing but the code and the issuer. */
const documents = new Map<string, string>();

function documentText(issuer: string): string {
  let text = documents.get(issuer);
  if (text === undefined) {
    text = JSON.stringify(buildOpenApi(issuer, SERVED_OPERATIONS));
    documents.set(issuer, text);
  }
  return text;
}

export const openApiOperation = operation({
  method: 'get',
  path: '/openapi.json',
  summary: 'This document',
  tag: 'meta',
  scope: null,
  success: {
    status: 200,
    description: 'OpenAPI 3.1',
    schema: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }),
  },
  handle(ctx, _input, deps) {
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = documentText(deps.config.issuer);
  },
});

/** Every operation `/api/v1` serves, the document's own first. */
export const SERVED_OPERATIONS: readonly Operation[] = [openApiOperation, ...API_OPERATIONS];
