/**
 * Exit codes scripts can rely on (documented in docs/cli.md, "Exit codes"). They group
 * failures by what a script would do next: fix its arguments, fix its credential, stop looking.
 */
export const EXIT = {
  ok: 0,
  /** The server refused the request (400, 409, 5xx) or anything unexpected. */
  failed: 1,
  /** Bad arguments or options, or an id prefix that matches more than one object. */
  usage: 2,
  /** No TESSERA_TOKEN, or the server answered 401 or 403. */
  auth: 3,
  /** No object has that id (404, or a prefix that matches nothing). */
  notFound: 4,
  /** The request conflicts with the object's state (409: e.g. deleting an active token). */
  conflict: 5,
  /** The server could not be reached, or did not answer in time. */
  unreachable: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return EXIT.failed;
}
