/**
 * Errors that mean "the database cannot be reached right now" (as opposed to a bad query):
 * refused or dropped connections, PostgreSQL shutting down, timeouts. Callers answer them with
 * 503 (RFC 6749 `temporarily_unavailable` on /token, problem+json on /api/v1), never 500.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
/** SQLSTATE: 57P01-03 shutdown / cannot connect now; 57014 statement timeout; class 08 connection exception. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'connection error',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')))
    return true;
  return typeof message === 'string' && MESSAGES.some((m) => message.includes(m));
}
