/**
 * Keyset paging for every list endpoint: an opaque cursor holding the last row's sort key (a
 * PostgreSQL timestamp and a uuid) and a page size. The query schemas declare the cursor with
 * the `keyset-cursor` format, which the validator checks with `decodeCursor`: a tampered cursor
 * is a 400 before it reaches SQL, never a database error.
 */
import { isPostgresTimestamp } from './timestamps';

export interface KeysetCursor {
  /** The timestamp as PostgreSQL printed it, microseconds included. */
  at: string;
  sagaId: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    if (typeof at !== 'string' || !isPostgresTimestamp(at) || !isUuid(sagaId)) return undefined;
    return { at, sagaId };
  } catch {
    return undefined;
  }
}

export interface Page {
  limit: number;
  after?: KeysetCursor;
}

/**
 * The page a validated query asks for: its schema bounded and defaulted `limit` and checked
 * the cursor's format (`keyset-cursor`), so a cursor that does not decode here is a bug.
 */
export function pageOf(query: { limit: number; cursor?: string }): Page {
  if (query.cursor === undefined) return { limit: query.limit };
  const after = decodeCursor(query.cursor);
  if (!after) throw new Error('a cursor passed validation but does not decode');
  return { limit: query.limit, after };
}

/** The `next_cursor` of a page: null on the last one. */
export const nextCursor = (next: KeysetCursor | null | undefined): string | null =>
  next ? encodeCursor(next) : null;
