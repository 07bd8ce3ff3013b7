/**
 * Keyset paging for list endpoints: an opaque cursor holding the last row's sort key (a
 * PostgreSQL timestamp and a uuid), and the `limit` query parameter. A cursor is validated
 * whole before it reaches SQL, so a tampered one is a 400, never a database error.
 */

export interface KeysetCursor {
  /** The timestamp as PostgreSQL printed it, microseconds included. */
  at: string;
  sagaId: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const timestampPattern =
  /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && uuidPattern.test(value);

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The cursor, or undefined when the text is not one this API handed out. */
export function decodeCursor(text: unknown): KeysetCursor | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    const { at, sagaId } = (value ?? {}) as { at?: unknown; sagaId?: unknown };
    if (typeof at !== 'string' || !timestampPattern.test(at) || !isUuid(sagaId)) return undefined;
    return { at, sagaId };
  } catch {
    return undefined;
  }
}

export interface PagingQuery {
  limit: number;
  after?: KeysetCursor;
}

/** Reads `limit` (1–500, default 50) and `cursor`, adding a message to `errors` for each bad one. */
export function parsePaging(
  query: { limit?: unknown; cursor?: unknown },
  errors: string[],
): PagingQuery {
  const paging: PagingQuery = { limit: 50 };
  if (query.limit !== undefined) {
    const n = Number(query.limit);
    if (Number.isInteger(n) && n >= 1 && n <= 500) paging.limit = n;
    else errors.push('limit: must be an integer 1–500');
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    if (after) paging.after = after;
    else errors.push('cursor: is not a cursor this API returned');
  }
  return paging;
}
