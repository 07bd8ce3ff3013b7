/**
 * JSON Schema validation with ajv: compiled once, every problem reported.
 *
 * Two departures from ajv's defaults, both about numbers a hostile client can send:
 * `strictNumbers` refuses Infinity and NaN (JSON.parse turns 1e309 into Infinity, and
 * JSON.stringify writes it back as null), and `multipleOf` is decided on exact decimals, so
 * `multipleOf: 0.01` accepts 19.99 and refuses 19.999 at any magnitude.
 */
import Ajv, { SchemaObject, SchemaValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isExactMultiple } from './decimal';
import { decodeCursor } from './http/paging';

/** Formats of our own, with the words a client reads when a value does not match. */
const formats: Record<string, { validate: (text: string) => boolean; message: string }> = {
  // Decoded and checked whole, so a forged cursor is refused together with every other problem.
  'keyset-cursor': {
    validate: (text) => decodeCursor(text) !== undefined,
    message: 'is not a cursor this API returned',
  },
};

function createAjv(options: { useDefaults: boolean }): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, strictNumbers: true, ...options });
  addFormats(ajv);
  for (const [name, { validate }] of Object.entries(formats)) ajv.addFormat(name, { validate });
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    errors: true,
    validate: exactMultipleOf,
  });
  return ajv;
}

const exactMultipleOf: SchemaValidateFunction = (step: number, value: number) => {
  const ok = isExactMultiple(value, step);
  exactMultipleOf.errors = ok
    ? []
    : [
        {
          keyword: 'multipleOf',
          message: `must be a multiple of ${step}`,
          params: { multipleOf: step },
        },
      ];
  return ok;
};

/**
 * Built at first use, and every schema compiled at its first value: compiling is most of what a
 * service does between its start and its first answer, and a restarted worker should be serving
 * (health, then its queue) before it pays for schemas it may not need yet.
 */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

// Bodies are validated as sent: a default filled in would change what the client asked for.
const bodyAjv = once(() => createAjv({ useDefaults: false }));
const queryAjv = once(() => createAjv({ useDefaults: true }));

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export type Validator<T> = (value: unknown) => Validated<T>;

export function compileValidator<T>(schema: object): Validator<T> {
  const compiled = once(() => bodyAjv().compile(schema));
  return (value) => {
    const validate = compiled();
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, errors: describe(validate.errors ?? []) };
  };
}

/**
 * A validator for URL query strings or path parameters, whose values arrive as text (or as
 * arrays of text when repeated). A value is converted to the integer, number or boolean its
 * schema declares only when the whole text spells one plainly (`10`, `2.5`, `1e3`, `true`);
 * anything else (`0x10`, ` 5`, `1e400`, a repeated parameter) stays as sent and fails its type.
 * Defaults declared in the schema are filled in.
 */
export function compileTextValidator<T>(schema: SchemaObject): Validator<T> {
  const compiled = once(() => queryAjv().compile(schema));
  const types = propertyTypes(schema);
  return (input) => {
    const validate = compiled();
    const value: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries((input ?? {}) as Record<string, unknown>)) {
      value[key] = typeof raw === 'string' ? fromText(raw, types.get(key)) : raw;
    }
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, errors: describe(validate.errors ?? [], 'query', 'parameter') };
  };
}

const integerText = /^-?\d{1,15}$/;
const numberText = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function fromText(text: string, type: string | undefined): unknown {
  if (type === 'integer' && integerText.test(text)) return Number(text);
  if (type === 'number' && numberText.test(text)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function propertyTypes(schema: SchemaObject): Map<string, string> {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  return new Map(
    Object.entries(properties).flatMap(([key, property]) =>
      typeof property.type === 'string' ? [[key, property.type] as const] : [],
    ),
  );
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function describe(errors: readonly AjvError[], root = 'body', unknownKind = 'field'): string[] {
  const messages = errors
    // `oneOf`/`if` summaries repeat what their branches already said.
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map((e) => {
      const where = e.instancePath === '' ? root : e.instancePath.slice(1).replace(/\//g, '.');
      if (e.keyword === 'additionalProperties') {
        return `${where}: unknown ${unknownKind} '${String(e.params.additionalProperty)}'`;
      }
      const format = e.keyword === 'format' ? formats[String(e.params.format)] : undefined;
      if (format) return `${where}: ${format.message}`;
      if (e.keyword === 'enum') {
        return `${where}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
      }
      return `${where}: ${e.message ?? 'is invalid'}`;
    });
  return [...new Set(messages)];
}
