/**
 * Every `/api/v1` operation but the document's own (openapi/route.ts adds it), in the document's
 * order. The router and the OpenAPI document are both built from this list (api/operation.ts).
 */
import { catalogueOperations } from './catalogue.js';
import { credentialOperations } from './credentials.js';
import type { Operation } from './operation.js';

export const API_OPERATIONS: readonly Operation[] = [...credentialOperations, ...catalogueOperations];
