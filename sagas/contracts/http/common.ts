/**
 * Building blocks of the HTTP request schemas. Query strings and path parameters are described
 * with the types they mean (an integer `limit`, a boolean `dry_run`); the validator converts
 * their text before checking it. Every object is closed: an unknown field or query parameter is
 * a 400, never silently ignored.
 */
import { idPattern, steps } from '../envelope';

/** A uuid in its canonical hex form, without the `urn:uuid:` prefix `format: uuid` allows. */
export const uuidPattern =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const orderIdSchema = {
  type: 'string',
  pattern: idPattern,
  description: 'The client-chosen order id: 1–64 characters from A–Z a–z 0–9 . _ : -',
  examples: ['123'],
} as const;

export const userIdSchema = {
  type: 'string',
  pattern: idPattern,
  description: 'The user who placed the order: 1–64 characters from A–Z a–z 0–9 . _ : -',
  examples: ['42'],
} as const;

export const skuSchema = {
  type: 'string',
  pattern: idPattern,
  description: 'A stock-keeping unit: 1–64 characters from A–Z a–z 0–9 . _ : -',
  examples: ['Book'],
} as const;

export const uuidSchema = (description: string) =>
  ({ type: 'string', format: 'uuid', pattern: uuidPattern, description }) as const;

export const sagaIdSchema = {
  ...uuidSchema('The saga id the API returned for an order'),
  examples: ['3b241101-e2bb-4255-8caf-4136c566a962'],
} as const;

export const stepSchema = {
  enum: steps,
  description: 'A step of the order saga',
} as const;

/** Failure codes are identifiers (`AMOUNT_LIMIT_EXCEEDED`, `SIMULATED_ERROR`). */
export const failureCodeSchema = {
  type: 'string',
  pattern: idPattern,
  description: 'A failure code, as in a reason: e.g. AMOUNT_LIMIT_EXCEEDED',
  examples: ['SIMULATED_ERROR'],
} as const;

// PostgreSQL stores neither NUL nor half of a UTF-16 surrogate pair (in text or jsonb), and a
// control character in an operator's name only garbles the logs and the console.
const noControls = '\\u0000-\\u001F\\u007F\\uD800-\\uDFFF';
const noControlsButLines = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uD800-\\uDFFF';

/** One line of printable text of 1–`max` characters. */
export const lineOfText = (max: number, description: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    pattern: `^[^${noControls}]*$`,
    description,
  }) as const;

/** Printable text of 1–`max` characters; tabs and line breaks allowed. */
export const freeText = (max: number, description: string) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    pattern: `^[^${noControlsButLines}]*$`,
    description,
  }) as const;

/** The query string of an endpoint: exactly these parameters, all optional. */
export const querySchema = <P extends Record<string, object>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, properties }) as const;

/** The path parameters of an endpoint: exactly these, all present. */
export const pathSchema = <P extends Record<string, object>>(properties: P) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  }) as const;

/** The query string of an endpoint that takes no parameters. */
export const noQuerySchema = querySchema({});
