/**
 * Checks real answers against a service's OpenAPI document: the status is documented for that
 * operation, the content type is the documented one, and the body matches the documented
 * schema (validated with ajv, in the JSON Schema dialect of OpenAPI 3.1). It also remembers
 * which operations were exercised, so a test can prove it called every one.
 */
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonResponse } from './api';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface OperationObject {
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject>>;
}

interface Template {
  path: string;
  pattern: RegExp;
  literalSegments: number;
}

export class OpenApiConformance {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, multipleOfPrecision: 9 });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Template[];
  private readonly exercised = new Set<string>();

  constructor(
    readonly service: string,
    private readonly document: OpenApiDocument,
  ) {
    addFormats(this.ajv);
    // The cursor's format is a promise of this API (a cursor it issued), not a shape to check.
    this.ajv.addFormat('keyset-cursor', true);
    this.templates = Object.keys(document.paths)
      .map((path) => ({
        path,
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literalSegments: path.split('/').filter((s) => s && !s.startsWith('{')).length,
      }))
      // `/sagas/counts` before `/sagas/{saga_id}`: a literal segment wins, as in the router.
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** Throws, naming the request and what differs, unless the answer is as documented. */
  check(method: string, url: string, response: JsonResponse<unknown>): void {
    const { pathname } = new URL(url, 'http://localhost');
    const where = `${this.service} ${method.toUpperCase()} ${pathname} → ${response.status}`;
    const template = this.templates.find((t) => t.pattern.test(pathname));
    const operation = template && this.document.paths[template.path]![method.toLowerCase()];
    if (!template || !operation) throw new Error(`${where}: no such operation in the document`);
    this.exercised.add(`${method.toUpperCase()} ${template.path}`);
    const documented = operation.responses[String(response.status)];
    if (!documented) {
      const listed = Object.keys(operation.responses).join(', ');
      throw new Error(`${where}: status not documented (documented: ${listed})`);
    }
    if (!documented.content) return;
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const media = documented.content[contentType];
    if (!media) {
      const listed = Object.keys(documented.content).join(', ');
      throw new Error(`${where}: content type ${contentType} not documented (${listed})`);
    }
    const validate = this.validator(`${method} ${template.path} ${response.status}`, media);
    if (!validate(response.body)) {
      const body = JSON.stringify(response.body)?.slice(0, 1500);
      throw new Error(
        `${where}: body does not match the document: ${this.ajv.errorsText(validate.errors)}; body: ${body}`,
      );
    }
  }

  /** Counts an operation as called without checking its answer (a route not built yet). */
  markExercised(method: string, path: string): void {
    this.exercised.add(`${method.toUpperCase()} ${path}`);
  }

  /** The documented operations no check has seen yet, as `METHOD /path`. */
  unexercised(): string[] {
    return Object.entries(this.document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((key) => !this.exercised.has(key));
  }

  private validator(key: string, media: MediaType): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(media.schema ?? {});
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
