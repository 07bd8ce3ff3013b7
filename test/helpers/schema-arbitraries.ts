/**
 * fast-check arbitraries driven by the HTTP request schemas: values a schema accepts (for the
 * keywords those schemas use), and hostile values to put in their place. A hostile number that
 * JSON.stringify cannot write (1e309, a 1 with 400 zeros) travels as a `rawJson` marker and is
 * spliced into the body text by `jsonText`.
 */
import fc, { Arbitrary } from 'fast-check';

export type Schema = Record<string, unknown>;

const RAW = '\u0001raw:';

/** A JSON number written exactly as given, in a body built by `jsonText`. */
export const rawJson = (text: string) => `${RAW}${text}`;

export function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:([^"]*)"/g, '$1');
}

const cursorOf = (at: string, sagaId: string) =>
  Buffer.from(JSON.stringify({ at, sagaId })).toString('base64url');

/** Cursors with impossible or out-of-range dates, and texts that are no cursor at all. */
export const hostileCursors = fc.oneof(
  fc
    .constantFrom(
      '2026-13-01 10:00:00+00',
      '2026-02-30 10:00:00+00',
      '2026-01-01 10:00:00+99:99',
      '2026-01-01 24:00:00+00',
      '0000-01-01 00:00:00+00',
      '2026-01-01 10:00:60+00',
      "1' OR 1=1",
    )
    .map((at) => cursorOf(at, '3b241101-e2bb-4255-8caf-4136c566a962')),
  fc.constantFrom('%ZZ', 'e30', '!!!', 'a'.repeat(600)),
  fc.base64String({ maxLength: 80 }),
);

export const hostileStrings: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    'a\u0000b',
    '\u0000',
    '\ud800',
    'x\udfffy',
    '%ZZ',
    '%00',
    'a'.repeat(5_000),
    "' OR 1=1 --",
    '\u202egnp.exe',
    '😀'.repeat(40),
    'null',
    '1e309',
  ),
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
);

export const hostileNumbers: Arbitrary<string> = fc.constantFrom(
  '1e309',
  '-1e309',
  '1e999999',
  `1${'0'.repeat(400)}`,
  '19.999',
  '1e-7',
  '-0.01',
  '1e20',
  '1e12',
  '123456789012.345',
  '0.1e1',
  '-0',
);

/** Anything that may stand where a schema expects a value; it may happen to be valid. */
export const hostileValues: Arbitrary<unknown> = fc.oneof(
  hostileStrings,
  hostileNumbers.map(rawJson),
  fc.constantFrom(null, true, false, [], {}, [1, 2], { sku: 'Book' }),
  fc.double(),
  fc.integer(),
  fc.anything({ maxDepth: 2 }),
);

/** Values the schema accepts. */
export function validValue(schema: Schema): Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as Schema[]).map(validValue));
  switch (schema.type) {
    case 'object':
      return validObject(schema);
    case 'array':
      return fc.array(validValue(schema.items as Schema), {
        minLength: (schema.minItems as number | undefined) ?? 0,
        maxLength: Math.min((schema.maxItems as number | undefined) ?? 4, 4),
      });
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({ min: bound(schema.minimum, -1e6), max: bound(schema.maximum, 1e6) });
    case 'number':
      return schema.multipleOf === 0.01
        ? fc.integer({ min: 0, max: 10_000_000 }).map((cents) => cents / 100)
        : fc
            .double({ min: bound(schema.minimum, 0), max: bound(schema.maximum, 1e6), noNaN: true })
            .filter(
              (n) => schema.exclusiveMinimum === undefined || n > Number(schema.exclusiveMinimum),
            );
    case 'boolean':
      return fc.boolean();
    default:
      return fc.constant(null);
  }
}

const bound = (value: unknown, otherwise: number) =>
  typeof value === 'number' ? value : otherwise;

function validObject(schema: Schema): Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  return fc.record(
    Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, validValue(sub)])),
    { requiredKeys: required },
  ) as Arbitrary<Record<string, unknown>>;
}

function validString(schema: Schema): Arbitrary<string> {
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (schema.format === 'keyset-cursor') {
    return fc
      .tuple(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.uuid(),
      )
      .map(([d, id]) => cursorOf(d.toISOString().replace('T', ' ').replace('Z', '+00'), id));
  }
  if (schema.format === 'uuid') return fc.uuid();
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = Math.min((schema.maxLength as number | undefined) ?? 64, 64);
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern, 'u');
    return fc
      .string({ unit: 'grapheme-ascii', minLength: Math.max(min, 1), maxLength: max })
      .filter((s) => pattern.test(s));
  }
  return fc.string({ minLength: min, maxLength: max });
}

export type Mutation =
  | { kind: 'replace'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'add'; key: string; value: unknown };

/** One change to an object of this schema that may well break it. */
export function mutation(schema: Schema): Arbitrary<Mutation> {
  const keys = Object.keys((schema.properties ?? {}) as object);
  const required = (schema.required ?? []) as string[];
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        key: fc.constantFrom(...keys),
        value: hostileValues,
      }),
    },
    ...(required.length > 0
      ? [
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant('delete' as const),
              key: fc.constantFrom(...required),
            }),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        key: hostileStrings,
        value: hostileValues,
      }),
    },
  );
}

export function applyMutation(
  value: Record<string, unknown>,
  change: Mutation,
): Record<string, unknown> {
  if (change.kind === 'delete') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== change.key));
  }
  return { ...value, [change.key]: change.value };
}

/**
 * Percent-encoding that also takes a lone surrogate (encodeURIComponent throws on one): it is
 * written as the three bytes it would have in WTF-8, which no UTF-8 decoder accepts.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(char);
  }
  return out;
}

/** The text as sent without encoding where HTTP allows it: `%ZZ`, `&` and `=` stay raw. */
export function barelyEncoded(text: string): string {
  let out = '';
  for (const char of text) {
    out += /^[\x21-\x7e]$/.test(char) && char !== '#' ? char : percentEncode(char);
  }
  return out;
}
