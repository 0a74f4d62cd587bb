/** The document itself, leak reports, the scope catalogue and `/me`. */
import { z } from 'zod';
import { reportBody } from '../credentials.js';
import * as out from '../response-schemas.js';
import type { Operation } from './operation.js';

const ANY = 'any';

export const metaOperations: Operation[] = [
  {
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
  },
  {
    method: 'post',
    path: '/credentials/revoke',
    summary: 'Report leaked PATs (always 202)',
    tag: 'credentials',
    scope: null,
    body: reportBody,
    success: { status: 202, description: 'accepted', schema: out.acceptedSchema },
    problems: ['rate_limited'],
  },
  {
    method: 'get',
    path: '/scopes',
    summary: 'The scope catalogue',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'every scope', schema: out.pageOf(out.scopeSchema) },
  },
  {
    method: 'get',
    path: '/me',
    summary: 'The caller and its credential',
    tag: 'meta',
    scope: ANY,
    success: { status: 200, description: 'the caller', schema: out.meSchema },
  },
];
