/**
 * The error shapes Tessera promises (docs/design.md, "What bad input gets"), asserted one way
 * everywhere: RFC 9457 problem+json under `/api/v1`, RFC 6749 §5.2 JSON on the OAuth endpoints.
 * Either way a 4xx never carries a stack trace.
 */
import { expect } from '@jest/globals';

/** What came back: an `ApiResponse` from the test server, or a raw answer (status, type, text). */
export interface Answer {
  status: number | string;
  text: string;
  headers?: Headers;
  contentType?: string | null | undefined;
  body?: any;
}

/** A status, or any 4xx. */
export type ExpectedStatus = number | '4xx';

const STACK_TRACE = /\bat .*\.(ts|js):\d+/;

const contentTypeOf = (answer: Answer) => answer.headers?.get('content-type') ?? answer.contentType ?? '';

function bodyOf(answer: Answer): any {
  if (answer.body !== undefined) return answer.body;
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** A label (e.g. the input that caused the answer) rides along, so that a failure shows which one. */
export type Label = string | Buffer | undefined;

const shown = (label: Label) => (label === undefined ? undefined : String(label).slice(0, 60));

/** Status and error code first, in one comparison, so that a failure shows both (and the label). */
function expectStatusAndCode(
  answer: Answer,
  status: ExpectedStatus,
  key: string,
  code?: string,
  input?: Label,
) {
  const label = shown(input);
  expect({ label, status: answer.status, [key]: bodyOf(answer)?.[key] }).toEqual({
    label,
    status: status === '4xx' ? answer.status : status,
    [key]: code ?? expect.any(String),
  });
  if (status === '4xx') {
    const clientError = typeof answer.status === 'number' && answer.status >= 400 && answer.status < 500;
    expect({ label, clientError }).toEqual({ label, clientError: true });
  }
}

/**
 * RFC 9457: `status` (or any 4xx), `application/problem+json`, the members every problem has,
 * `code` when given (and the `type` it names), and no stack trace.
 */
export function expectProblem(answer: Answer, status: ExpectedStatus, code?: string, label?: Label) {
  expectStatusAndCode(answer, status, 'code', code, label);
  expect(contentTypeOf(answer)).toMatch(/^application\/problem\+json/);
  expect(bodyOf(answer)).toMatchObject({
    type: `urn:tessera:problem:${bodyOf(answer).code}`,
    title: expect.any(String),
    status: answer.status,
  });
  expect(answer.text).not.toMatch(STACK_TRACE);
}

/** RFC 6749 §5.2: `status` (or any 4xx), JSON whose `error` is `error` when given, no stack trace. */
export function expectOAuthError(answer: Answer, status: ExpectedStatus, error?: string, label?: Label) {
  expectStatusAndCode(answer, status, 'error', error, label);
  expect(contentTypeOf(answer)).toMatch(/^application\/json/);
  expect(answer.text).not.toMatch(STACK_TRACE);
}
