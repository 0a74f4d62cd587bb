/** `/admin/webhooks`: endpoints and their delivery logs. */
import { ADMIN_SCOPE } from '../../scopes.js';
import * as out from '../response-schemas.js';
import { deliveriesQuery, endpointListQuery, endpointPatchBody, newEndpointBody } from '../webhooks.js';
import type { OperationDoc as Operation } from './operation.js';

export const webhookOperations: Operation[] = [
  {
    method: 'get',
    path: '/admin/webhooks',
    summary: 'Webhook endpoints',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: endpointListQuery,
    success: { status: 200, description: 'a page of endpoints', schema: out.pageOf(out.endpointSchema) },
  },
  {
    method: 'post',
    path: '/admin/webhooks',
    summary: 'Register an endpoint (its signing secret is in this response only)',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: newEndpointBody,
    success: {
      status: 201,
      description: 'the endpoint and its secret',
      schema: out.createdEndpointSchema,
      noStore: true,
    },
  },
  {
    method: 'get',
    path: '/admin/webhooks/{id}',
    summary: 'One endpoint',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
  },
  {
    method: 'patch',
    path: '/admin/webhooks/{id}',
    summary: 'Change an endpoint; `enabled: true` re-enables it',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    body: endpointPatchBody,
    success: { status: 200, description: 'the endpoint', schema: out.endpointSchema },
  },
  {
    method: 'delete',
    path: '/admin/webhooks/{id}',
    summary: 'Delete an endpoint and its pending deliveries',
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    success: { status: 204, description: 'deleted' },
  },
  {
    method: 'get',
    path: '/admin/webhooks/{id}/deliveries',
    summary: "An endpoint's delivery log",
    tag: 'webhooks',
    scope: ADMIN_SCOPE,
    query: deliveriesQuery,
    success: {
      status: 200,
      description: 'a page of delivery attempts',
      schema: out.pageOf(out.deliverySchema),
    },
  },
];
