/**
 * Which PostgreSQL failures mean "storage refused or could not be reached" (answer 503, keep the
 * request's effects out, retry later) rather than "our SQL is wrong" (a bug: 500).
 */

/** SQLSTATE classes and codes of an unavailable database. */
const UNAVAILABLE_SQLSTATE = [
  /^08/, // connection exception
  /^53/, // insufficient resources: disk full, out of memory, too many connections
  /^58/, // system error: I/O error
  /^57P0[1-4]$/, // admin shutdown, crash shutdown, cannot connect now, database dropped
  /^57014$/, // query canceled (statement timeout)
  /^25006$/, // read-only transaction (a standby, or default_transaction_read_only)
  /^40001$/, // serialization failure
  /^40P01$/, // deadlock detected
  /^55P03$/, // lock not available
  /^3D000$/, // the database does not exist (dropped, or not created yet)
];

/** Socket errors of a database that is down or unreachable. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** What node-postgres throws itself when a connection ends or never comes (they carry no code). */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection timeout)/;

function codeOf(e: object): string | null {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' ? c : null;
}

export function isPostgresUnavailable(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  const code = codeOf(e);
  if (code !== null && (UNAVAILABLE_ERRNO.has(code) || (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE.some((r) => r.test(code))))) return true;
  if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node tries every address of a host name and reports them together.
  if (e instanceof AggregateError) return e.errors.some((x) => isPostgresUnavailable(x));
  return false;
}
