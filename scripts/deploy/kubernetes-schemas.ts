/**
 * Checks built-in Kubernetes objects against the API's OpenAPI schemas, as compiled by the
 * kubernetes-models package: required fields, types and enums of every nested object.
 *
 * kubernetes-models is loaded with a native dynamic import, which is why this code runs under
 * tsx and is left out of the CommonJS build.
 */
import { JsonObject } from './documents';

interface Model {
  validate(): void;
}
type ModelClass = new (data: JsonObject) => Model;

/** `apps/v1` → `kubernetes-models/apps/v1`; the core group `v1` → `kubernetes-models/v1`. */
function modulePath(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  let exported: unknown;
  try {
    exported = await import(modulePath(apiVersion));
  } catch {
    return undefined;
  }
  const candidate =
    typeof exported === 'object' && exported !== null
      ? (exported as Record<string, unknown>)[kind]
      : undefined;
  return typeof candidate === 'function' ? (candidate as ModelClass) : undefined;
}

/** Is this apiVersion/kind one the Kubernetes API itself serves (not a custom resource)? */
export async function isBuiltIn(apiVersion: string, kind: string): Promise<boolean> {
  return (await modelClass(apiVersion, kind)) !== undefined;
}

/** The schema violations of one built-in object (empty when valid, or when the kind is not built in). */
export async function builtInProblems(body: JsonObject): Promise<string[]> {
  const { apiVersion, kind } = body;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [];
  const Model = await modelClass(apiVersion, kind);
  if (!Model) return [];
  try {
    new Model(body).validate();
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split(', ').map((problem) => problem.replace(/^data\/?/, '/'));
  }
}
