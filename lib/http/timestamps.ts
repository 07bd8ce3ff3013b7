/**
 * Timestamps that reach PostgreSQL from a client. A pattern alone lets through month 13,
 * February 30 or an offset of +99:99, which PostgreSQL refuses with an error; these checks
 * accept only what it accepts, so a bad value is the client's 400, never the server's 500.
 */

const postgresTimestamp =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/** PostgreSQL refuses a time zone displacement of 16 hours or more. */
const MAX_OFFSET_HOURS = 15;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Whether `text` is a timestamp as PostgreSQL prints one, naming a moment that exists. */
export function isPostgresTimestamp(text: string): boolean {
  const match = postgresTimestamp.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  return (
    year! >= 1 &&
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysIn(year!, month!) &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    offsetHours <= MAX_OFFSET_HOURS &&
    offsetMinutes <= 59
  );
}

/**
 * An RFC 3339 date-time (already checked by the schema's `format`) as an instant in UTC
 * between the years 1 and 9999, or undefined when it falls outside: an offset can carry
 * 0001-01-01T00:00:00+01:00 into year 0, which PostgreSQL has no room for.
 */
export function instantOf(text: string): Date | undefined {
  const instant = new Date(text);
  const year = instant.getUTCFullYear();
  return Number.isNaN(instant.getTime()) || year < 1 || year > 9999 ? undefined : instant;
}
