/** JSON Schema validation with ajv: compiled once, every problem reported. */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export type Validator<T> = (value: unknown) => Validated<T>;

export function compileValidator<T>(schema: object): Validator<T> {
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, errors: describe(validate.errors ?? []) };
  };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function describe(errors: readonly AjvError[]): string[] {
  const messages = errors
    // `oneOf`/`if` summaries repeat what their branches already said.
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map((e) => {
      const where = e.instancePath === '' ? 'body' : e.instancePath.slice(1).replace(/\//g, '.');
      if (e.keyword === 'additionalProperties') {
        return `${where}: unknown field '${String(e.params.additionalProperty)}'`;
      }
      if (e.keyword === 'enum') {
        return `${where}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
      }
      return `${where}: ${e.message ?? 'is invalid'}`;
    });
  return [...new Set(messages)];
}
