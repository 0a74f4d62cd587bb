/** The CLI's HTTP client for a running Tessera: `TESSERA_URL` + `TESSERA_TOKEN`. */
export class CliError extends Error {
  override name = 'CliError';
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

interface Problem {
  title?: string;
  detail?: string;
  code?: string;
}

export function apiClient(
  settings: { url: string; token: string | undefined },
  fetchImpl = fetch,
): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      if (!settings.token)
        throw new CliError('TESSERA_TOKEN is not set: export a personal access token first');
      let response: Response;
      try {
        response = await fetchImpl(`${settings.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${settings.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new CliError(`cannot reach ${settings.url}: ${(error as Error).message}`);
      }
      if (response.status === 204) return undefined as T;
      const payload = (await response.json().catch(() => ({}))) as T & Problem;
      if (!response.ok) {
        const problem = payload as Problem;
        throw new CliError(
          `${response.status} ${problem.code ?? ''}: ${problem.detail ?? problem.title ?? 'request failed'}`,
        );
      }
      return payload;
    },
  };
}
