/**
 * Checks API responses against Tessera's own OpenAPI document with a JSON Schema 2020-12
 * validator (ajv): the operation must exist (or the answer is the router's 404/405 problem), the
 * status must be described, and the body must match its schema. `withOpenApiValidation` wraps a
 * TestServer's `request()` so that every response a suite receives is checked.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ApiResponse, TestServer } from './server.js';

type Ajv = import('ajv/dist/2020.js').default;
const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as new (options: object) => Ajv;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => void;

const PREFIX = '/api/v1';

interface Route {
  template: string;
  pattern: RegExp;
  methods: Record<string, any>;
}

export interface OpenApiValidator {
  /** Problems with this response, as sentences; empty when it is what the document says. */
  check(
    method: string,
    path: string,
    response: Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text'>,
  ): string[];
  /** `METHOD path status` of every response checked so far. */
  seen: Set<string>;
}

export function openApiValidator(document: any): OpenApiValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const routes: Route[] = Object.entries(document.paths as Record<string, any>).map(
    ([template, methods]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
      methods,
    }),
  );
  // Compiled once per distinct schema: most operations share their problem responses' schemas.
  const bySchema = new Map<string, ReturnType<Ajv['compile']>>();
  const compiled = new Map<string, ReturnType<Ajv['compile']>>();
  const seen = new Set<string>();

  function validate(key: string, schema: object, body: unknown): string[] {
    let check = compiled.get(key);
    if (!check) {
      const text = JSON.stringify(schema);
      check = bySchema.get(text) ?? ajv.compile(schema);
      bySchema.set(text, check);
      compiled.set(key, check);
    }
    if (check(body)) return [];
    return (check.errors ?? []).map(
      (e) => `${key}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  /** The router's own answers for a path or method it does not have. */
  function routerProblem(
    status: number,
    code: string,
    response: { status: number; body: any },
    where: string,
  ) {
    if (response.status === status && response.body?.code === code) return [];
    return [`${where}: answered ${response.status} ${response.body?.code ?? ''}, not in the document`];
  }

  return {
    seen,
    check(method, rawPath, response) {
      // Routes match exactly (api/routing.ts): `/tokens/` is no route, and answers the router's 404.
      const path = rawPath.split('?')[0] as string;
      if (!path.startsWith(`${PREFIX}/`)) return [];
      const local = path.slice(PREFIX.length);
      const where = `${method} ${path}`;
      const route = routes.find((r) => r.pattern.test(local));
      if (!route) return routerProblem(404, 'not_found', response, where);
      const operation = route.methods[method.toLowerCase()];
      if (!operation) return routerProblem(405, 'method_not_allowed', response, where);
      seen.add(`${method.toUpperCase()} ${route.template} ${response.status}`);
      const described = operation.responses[String(response.status)];
      if (!described)
        return [`${where}: status ${response.status} is not described (${response.text.slice(0, 200)})`];
      const content = described.content as Record<string, { schema: object }> | undefined;
      if (!content) return response.text === '' ? [] : [`${where}: ${response.status} must have no body`];
      const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
      const media = content[type];
      if (!media)
        return [
          `${where}: ${response.status} answered ${type}, described ${Object.keys(content).join(', ')}`,
        ];
      return validate(
        `${method.toUpperCase()} ${route.template} ${response.status}`,
        media.schema,
        response.body,
      );
    },
  };
}

/**
 * The same server, whose `request()` (and so `tokenRequest`, `exchange`, `createUserWithToken`)
 * checks every `/api/v1` response against `document`, pushing what is wrong to `violations`.
 */
export function withOpenApiValidation(
  server: TestServer,
  validator: OpenApiValidator,
  violations: string[],
): TestServer {
  const request = server.request;
  const checked: TestServer['request'] = async (method, path, options) => {
    const response = await request(method, path, options);
    violations.push(...validator.check(method, path, response));
    return response;
  };
  server.request = checked;
  return server;
}
