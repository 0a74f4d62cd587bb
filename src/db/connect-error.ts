/**
 * What an operator reads when the database named by `DATABASE_URL` cannot be reached at start:
 * the variable, the host, port and database it names, and why, never the password (which a
 * URL carries and a log shipper would keep). `pg` alone says only "connect ECONNREFUSED".
 */

/** `postgres://user@host:port/db`, without the password or the query string. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** The password, as it could appear in a driver's message, replaced wherever it does. */
function withoutPassword(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {}
  return password ? message.split(password).join('***') : message;
}

export class DatabaseConnectError extends Error {
  override name = 'DatabaseConnectError';
  constructor(url: string, cause: unknown) {
    const why = (cause as { code?: string }).code ?? '';
    const detail = withoutPassword((cause as Error).message ?? String(cause), url);
    super(
      `cannot connect to the database at ${describeDatabaseUrl(url)} (DATABASE_URL): ${detail}${why && !detail.includes(why) ? ` (${why})` : ''}`,
    );
  }
}
