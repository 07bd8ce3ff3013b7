/**
 * The paging parameters every list endpoint takes: a page size and the opaque cursor the
 * previous page returned as `next_cursor`.
 */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export const pagingQueryProperties = {
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `Page size, 1–${MAX_PAGE_SIZE}`,
  },
  cursor: {
    type: 'string',
    maxLength: 512,
    format: 'keyset-cursor',
    description: 'The `next_cursor` of the previous page (opaque); absent for the first page',
  },
} as const;

export interface PagingParameters {
  limit: number;
  cursor?: string;
}

/** The `next_cursor` of a page. */
export const nextCursorSchema = {
  type: ['string', 'null'],
  description: 'Pass as `cursor` for the next page; null on the last page',
} as const;
