/** `/admin/tokens` and `/admin/stats`: everyone's PATs, for administrators. */
import { ADMIN_SCOPE } from '../../scopes.js';
import {
  emptyBody as adminRestoreBody,
  revokeBody as adminRevokeBody,
  listQuery as adminTokensQuery,
} from '../admin.js';
import { eventsQuery } from '../events.js';
import * as out from '../response-schemas.js';
import type { OperationDoc as Operation } from './operation.js';
import { patPage, restoreProblems } from './token-operations.js';

export const adminOperations: Operation[] = [
  {
    method: 'get',
    path: '/admin/tokens',
    summary: "Every user's PATs",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    query: adminTokensQuery,
    success: { status: 200, description: 'a page of PATs', schema: patPage },
  },
  {
    method: 'post',
    path: '/admin/tokens/{id}/revoke',
    summary: "Revoke anyone's PAT",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: adminRevokeBody,
    success: { status: 200, description: 'the revoked PAT', schema: out.patSchema },
  },
  {
    method: 'post',
    path: '/admin/tokens/{id}/restore',
    summary: "Undo anyone's revocation (an administrator's too; never a final one)",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    body: adminRestoreBody,
    success: { status: 200, description: 'the restored PAT', schema: out.patSchema },
    problems: restoreProblems,
  },
  {
    method: 'get',
    path: '/admin/tokens/{id}/events',
    summary: "Any PAT's audit trail",
    tag: 'admin',
    scope: ADMIN_SCOPE,
    query: eventsQuery,
    success: { status: 200, description: 'a page of events', schema: out.pageOf(out.auditEventSchema) },
  },
  {
    method: 'get',
    path: '/admin/stats',
    summary: 'Oversight numbers',
    tag: 'admin',
    scope: ADMIN_SCOPE,
    success: { status: 200, description: 'the numbers', schema: out.statsSchema },
  },
];
