/**
 * Builds a service's OpenAPI 3.1 document from the JSON Schemas its routes validate with.
 * A route is described once, as data (`Operation`): its path and query schemas become
 * parameters, its body schema the request body, and each answer's schema a response. Nothing
 * here restates a schema; the schemas are passed in by reference.
 */
import { problemSchema } from './problem-schema';

/** A JSON Schema as the contracts declare it (an `as const` object literal). */
export type JsonSchema = object;

type Properties = Record<string, JsonSchema & { description?: string }>;

/** A closed object schema: the query or path schemas of the contracts. */
export interface ParameterSchema {
  properties: Properties;
}

export interface Answer {
  description: string;
  /** Absent: no body. */
  schema?: JsonSchema;
  /** Defaults to application/json (application/problem+json for a 4xx or 5xx). */
  contentType?: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface Operation {
  /** Answers before the ready gate: it never gives the 503 of a service still starting. */
  ungated?: boolean;
  method: 'get' | 'post' | 'put' | 'delete';
  /** An OpenAPI path template: `/orders/{order_id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  pathParameters?: ParameterSchema;
  query?: ParameterSchema;
  headers?: Array<{ name: string; description: string; schema: JsonSchema }>;
  body?: { schema: JsonSchema; required: boolean; contentType?: string };
  /** Keyed by status code. */
  responses: Record<number, Answer>;
  /** Needs the admin bearer token. */
  admin?: boolean;
}

export interface DocumentInfo {
  title: string;
  description: string;
  version: string;
  tags: Array<{ name: string; description: string }>;
}

/** Problem answers by status, so routes list the errors they give without repeating the shape. */
export const problem = (description: string): Answer => ({ description, schema: problemSchema });

/** A query string or body that fails its schema. */
export const invalidRequest = problem('The query or body is invalid; `errors` lists every problem');

/**
 * Every route of a service's own API answers 503 while the service starts or a backing service
 * reconnects (the health and reference routes answer before that gate).
 */
const unavailable = problem('Starting, or a backing service is reconnecting: retry shortly');

export function buildDocument(info: DocumentInfo, operations: readonly Operation[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = describeOperation(operation);
  }
  const admin = operations.some((operation) => operation.admin);
  return {
    openapi: '3.1.0',
    info: { title: info.title, description: info.description, version: info.version },
    tags: info.tags,
    paths,
    ...(admin
      ? {
          components: {
            securitySchemes: {
              adminToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'The ADMIN_TOKEN of the coordinator; 401 without it, 403 when wrong',
              },
            },
          },
        }
      : {}),
  };
}

function describeOperation(operation: Operation): object {
  const parameters = [
    ...parametersOf(operation.pathParameters, 'path'),
    ...parametersOf(operation.query, 'query'),
    ...(operation.headers ?? []).map(({ name, description, schema }) => ({
      name,
      in: 'header',
      description,
      schema,
    })),
  ];
  const { body } = operation;
  return {
    operationId: operation.operationId,
    tags: [operation.tag],
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: body.required,
            content: mediaType(body.contentType ?? 'application/json', body.schema),
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries({
        ...(operation.ungated ? {} : { 503: unavailable }),
        ...operation.responses,
      }).map(([status, answer]) => [status, describeAnswer(Number(status), answer)]),
    ),
    ...(operation.admin ? { security: [{ adminToken: [] }] } : {}),
  };
}

function parametersOf(schema: ParameterSchema | undefined, where: 'path' | 'query'): object[] {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path',
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function describeAnswer(status: number, answer: Answer): object {
  const contentType =
    answer.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
  return {
    description: answer.description,
    ...(answer.headers ? { headers: answer.headers } : {}),
    ...(answer.schema ? { content: mediaType(contentType, answer.schema) } : {}),
  };
}

/** The schema's first example is lifted to the media type, where interactive docs show it. */
function mediaType(contentType: string, schema: JsonSchema): object {
  const examples = (schema as { examples?: unknown[] }).examples;
  return { [contentType]: { schema, ...(examples?.length ? { example: examples[0] } : {}) } };
}
