/**
 * Every `/api/v1` operation, described by the zod schemas its route parses and answers with.
 * The OpenAPI document (document.ts) is generated from this table, one file per resource, and
 * a test checks that the table and the router list the same operations.
 */
import type { OperationDoc as Operation } from './operation.js';
import { tokenOperations } from './token-operations.js';

export const LEGACY_OPERATIONS: Operation[] = [...tokenOperations];
