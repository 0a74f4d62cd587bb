/**
 * One delivery attempt in the Standard Webhooks format (https://www.standardwebhooks.com/):
 * `webhook-id` (the same on every retry of an event), `webhook-timestamp` and
 * `webhook-signature` (HMAC-SHA256 over `id.timestamp.body`), signed by the `standardwebhooks`
 * package. Redirects are not followed (a 3xx is a failure: the endpoint's URL is the one an
 * administrator approved), and the receiver has `timeoutMs` to answer.
 */
import { Webhook } from 'standardwebhooks';
import { destinationRefusal } from './url.js';

export interface Delivery {
  eventId: string;
  url: string;
  secret: string;
  /** The JSON body exactly as signed and sent. */
  body: string;
}

export interface AttemptResult {
  outcome: 'delivered' | 'failed';
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

function failureOf(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`.slice(0, 300);
}

/**
 * Sends `delivery` once. `signedAt` is real time, not a test's moved clock: receivers compare
 * `webhook-timestamp` with their own clock to refuse replays.
 */
export async function attemptDelivery(
  delivery: Delivery,
  signedAt: Date,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
  allowPrivateNetworks = false,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = await destinationRefusal(delivery.url, allowPrivateNetworks);
  if (refused) return { outcome: 'failed', statusCode: null, error: refused, durationMs: elapsed() };
  const signature = new Webhook(delivery.secret).sign(delivery.eventId, signedAt, delivery.body);
  try {
    const response = await fetchImpl(delivery.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhooks/1',
        'webhook-id': delivery.eventId,
        'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: delivery.body,
    });
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) {
      return { outcome: 'delivered', statusCode: response.status, error: null, durationMs: elapsed() };
    }
    const error =
      response.status >= 300 && response.status < 400
        ? `redirect (${response.status}) not followed`
        : `HTTP ${response.status}`;
    return { outcome: 'failed', statusCode: response.status, error, durationMs: elapsed() };
  } catch (error) {
    return { outcome: 'failed', statusCode: null, error: failureOf(error, timeoutMs), durationMs: elapsed() };
  }
}
