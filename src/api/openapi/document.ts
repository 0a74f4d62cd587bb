/**
 * The OpenAPI 3.1 description of `/api/v1`, generated from the operation declarations (api/operation.ts) and its zod
 * schemas with zod's own `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1 uses as is):
 * request schemas as they accept input, response schemas as the presenters produce output.
 */
import { z } from 'zod';
import { problemSchema } from '../response-schemas.js';
import type { OperationDoc } from './operation.js';
import { genericProblems, PROBLEM_STATUS, type ProblemCode } from './problems.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const problemJson = jsonSchema(problemSchema, 'output');

/** A problem+json response whose `code` is one of `codes`. */
function problemResponse(status: number, codes: ProblemCode[]) {
  const properties = problemJson.properties as Record<string, JsonSchema>;
  const schema = {
    ...problemJson,
    properties: { ...properties, status: { const: status }, code: { enum: codes } },
  };
  return { description: codes.join(', '), content: { 'application/problem+json': { schema } } };
}

function problemsOf(op: OperationDoc): Map<number, ProblemCode[]> {
  const codes = [
    ...genericProblems({
      authenticated: op.scope !== null,
      scoped: op.scope !== null && op.scope !== 'any',
      input: Boolean(op.query || op.body),
      body: Boolean(op.body),
      pathId: op.path.includes('{id}'),
    }),
    ...(op.problems ?? []),
  ];
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

function parameters(op: OperationDoc) {
  const path = op.path.includes('{id}')
    ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }]
    : [];
  const query = Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !(schema as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(schema as z.ZodType, 'input'),
  }));
  return [...path, ...query];
}

function operationObject(op: OperationDoc) {
  const success = op.success.schema
    ? { content: { 'application/json': { schema: jsonSchema(op.success.schema, 'output') } } }
    : {};
  const responses: Record<string, unknown> = {
    [op.success.status]: { description: op.success.description, ...success },
  };
  for (const [status, codes] of problemsOf(op)) responses[status] = problemResponse(status, codes);
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[/.](\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: op.summary,
    tags: [op.tag],
    ...(op.scope === null ? { security: [] } : {}),
    ...(op.scope && op.scope !== 'any' ? { 'x-required-scope': op.scope } : {}),
    parameters: parameters(op),
    ...(op.body
      ? {
          requestBody: {
            required: false,
            content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The document describing `operations` (every operation `/api/v1` serves: openapi/route.ts). */
export function buildOpenApi(issuer: string, operations: readonly OperationDoc[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera REST API',
      version: '1',
      description:
        'Personal access tokens, users and webhooks. Errors are RFC 9457 problem details. ' +
        'Authenticate with `Authorization: Bearer <PAT or Tessera JWT for <issuer>/api>`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: `${issuer}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a PAT or a Tessera JWT' } },
    },
    paths,
  };
}
