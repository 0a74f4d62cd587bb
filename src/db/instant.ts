/**
 * The instants Tessera stores: years 1 to 9999. Both drivers send a Date as ISO 8601 text, and
 * outside four-digit years that text is not one PostgreSQL reads the same way, or at all (year 0
 * is 1 BC to `pg` and 22008 to PGlite; `+010000-01-01` is 22009 to PGlite). No row is created
 * outside this range, so a date from a request that falls outside it names nothing: refuse it
 * before it reaches the database, as invalid input.
 */
const FIRST_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/** True when `date` is a valid Date both drivers store and read back unchanged. */
export function isStorableInstant(date: Date): boolean {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS;
}
