/**
 * Optional hook: checks every `/api/v1` response a test file receives against the running
 * server's own `openapi.json`, and fails the file (in `afterAll`) if any answered something its
 * description does not say. Not wired by default; to check every suite, call
 * `await checkApiResponse(tessera.url, method, path, response)` in `startTestServer`'s
 * `request()` just before it returns (README of issue 15's report says how).
 */
import { afterAll, expect } from '@jest/globals';
import { type OpenApiValidator, openApiValidator } from './openapi-validator.js';
import type { ApiResponse } from './server.js';

const validators = new Map<string, Promise<OpenApiValidator>>();
export const openApiViolations: string[] = [];

afterAll(() => {
  expect(openApiViolations).toEqual([]);
});

/** Paths sent verbatim with dot segments reach routes the template cannot name: not checked. */
const DOT_SEGMENT = /\/(\.|%2e){1,2}(\/|$)/i;

export async function checkApiResponse(
  base: string,
  method: string,
  path: string,
  response: Pick<ApiResponse, 'status' | 'headers' | 'body' | 'text'>,
): Promise<void> {
  if (!path.startsWith('/api/v1/') || DOT_SEGMENT.test(path)) return;
  let validator = validators.get(base);
  if (!validator) {
    validator = fetch(`${base}/api/v1/openapi.json`)
      .then((answer) => answer.json())
      .then(openApiValidator);
    validators.set(base, validator);
  }
  openApiViolations.push(...(await validator).check(method, path, response));
}
