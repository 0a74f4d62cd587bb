/**
 * Every `/api/v1` operation but the document's own (openapi/route.ts adds it), in the document's
 * order. The router and the OpenAPI document are both built from this list (api/operation.ts).
 */
import { adminOperations, adminStatsOperation } from './admin.js';
import { catalogueOperations } from './catalogue.js';
import { credentialOperations } from './credentials.js';
import { adminEventsOperation, ownEventsOperation } from './events.js';
import { federationRefusalsOperation } from './federation-refusals.js';
import type { Operation } from './operation.js';
import { tokenOperations } from './tokens.js';
import { trustPolicyOperations } from './trust-policies.js';
import { userOperations } from './users.js';
import { webhookOperations } from './webhooks.js';

export const API_OPERATIONS: readonly Operation[] = [
  ...credentialOperations,
  ...catalogueOperations,
  ...tokenOperations,
  ownEventsOperation,
  ...userOperations,
  ...adminOperations,
  adminEventsOperation,
  adminStatsOperation,
  ...trustPolicyOperations,
  federationRefusalsOperation,
  ...webhookOperations,
];
