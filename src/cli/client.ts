/** The CLI's HTTP client for a running Tessera: `TESSERA_URL` + `TESSERA_TOKEN`. */
import { EXIT, type ExitCode, exitCodeForStatus } from './exit-codes.js';
import { CLI_USER_AGENT } from './version.js';

/** An expected failure: one line on stderr and its exit code, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Every item of a list, following `next_cursor` page after page. */
  listAll<T>(path: string, query?: Record<string, string | undefined>): Promise<T[]>;
}

interface Problem {
  title?: string;
  detail?: string;
  code?: string;
}

export function unreachable(url: string, error: unknown, timeoutMs: number): CliError {
  const timedOut = (error as Error).name === 'TimeoutError';
  // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, ...).
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const why = timedOut ? `no answer within ${timeoutMs / 1000} s` : (cause ?? (error as Error).message);
  return new CliError(`cannot reach ${url}: ${why}`, EXIT.unreachable);
}

export const missingToken = () =>
  new CliError(
    'TESSERA_TOKEN is not set: export a personal access token, or run tessera login < token-file',
    EXIT.auth,
  );

/** `?a=1&b=2` from the defined entries, or '' when there are none. */
export function queryString(query: Record<string, string | undefined>): string {
  const defined = Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return defined.length ? `?${new URLSearchParams(defined)}` : '';
}

/** A server that accepts and never answers must not hold a script forever. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * `anonymous` is for the one unauthenticated operation (reporting leaked tokens): it sends no
 * Authorization header, so the caller's own PAT never travels with someone else's secret.
 */
export function apiClient(
  settings: { url: string; token: string | undefined; timeoutMs?: number; anonymous?: boolean },
  fetchImpl = fetch,
): ApiClient {
  const timeoutMs = settings.timeoutMs ?? REQUEST_TIMEOUT_MS;
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!settings.token && !settings.anonymous) throw missingToken();
    let response: Response;
    try {
      response = await fetchImpl(`${settings.url}${path}`, {
        method,
        headers: {
          ...(settings.anonymous ? {} : { authorization: `Bearer ${settings.token}` }),
          'user-agent': CLI_USER_AGENT,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(settings.url, error, timeoutMs);
    }
    if (response.status === 204) return undefined as T;
    const payload = (await response.json().catch(() => ({}))) as T & Problem;
    if (!response.ok) {
      const problem = payload as Problem;
      throw new CliError(
        `${response.status} ${problem.code ?? ''}: ${problem.detail ?? problem.title ?? 'request failed'}`,
        exitCodeForStatus(response.status),
      );
    }
    return payload;
  }

  async function listAll<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<T> = await request('GET', `${path}${queryString({ ...query, limit: '100', cursor })}`);
      items.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return items;
  }

  return { request, listAll };
}
