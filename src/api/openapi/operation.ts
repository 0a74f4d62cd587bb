/** What the OpenAPI document says of one `/api/v1` operation (api/operation.ts adds how it is served). */
import type { z } from 'zod';
import type { ProblemCode } from './problems.js';

export interface OperationDoc {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template under /api/v1, e.g. `/tokens/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** null: no authentication; 'any': any authenticated caller. */
  scope: string | null;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; noStore?: boolean };
  /** Problems beyond the generic ones its inputs imply (problems.ts). */
  problems?: ProblemCode[];
}
