/** The baseline target (bench/baseline-server.ts): its client, how to start it, what to send it. */
import { type ServerProcess, startServer } from './processes.js';
import { FORM } from './tessera.js';

export const BASELINE_CLIENT = { id: 'bench', secret: 'bench-secret-0123456789' };

/**
 * A `client_credentials` token request with Basic client authentication. One body, given as
 * `bodies` like the exchange targets', so the load generator does the same work for all.
 */
export const BASELINE_REQUEST = {
  method: 'POST' as const,
  bodies: ['grant_type=client_credentials&scope=repo%3Aread'],
  headers: {
    ...FORM,
    authorization: `Basic ${Buffer.from(`${BASELINE_CLIENT.id}:${BASELINE_CLIENT.secret}`).toString('base64')}`,
  },
};

/** Starts the baseline as one node process (tsx as a loader), with extra node flags if given. */
export function startBaseline(port: number, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startServer(
    'baseline',
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'bench/baseline-server.ts'],
    { PORT: String(port) },
    `http://127.0.0.1:${port}/healthz`,
  );
}
