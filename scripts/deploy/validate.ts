/**
 * Validates a folder of Kubernetes manifests offline: each object against its schema (the
 * Kubernetes API's for built-in kinds, the operators' for their custom resources), then the
 * deployment's own rules. Returns every finding rather than stopping at the first.
 */
import { readdirSync } from 'node:fs';
import { ManifestDocument, readYamlFolder } from './documents';
import { customResourceProblems, isKnownCustomResource } from './custom-resources';
import { builtInProblems, isBuiltIn } from './kubernetes-schemas';
import { checks } from './policy';
import { kustomizationProblems, referenceChecks } from './references';
import { nameOf } from './workloads';

const KUSTOMIZE_API = 'kustomize.config.k8s.io/v1beta1';

async function schemaProblems(document: ManifestDocument): Promise<string[]> {
  const { apiVersion, kind } = document.body;
  const what = `${document.source}: ${String(kind)} ${nameOf(document.body)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${document.source}: apiVersion and kind are required`];
  }
  if (apiVersion === KUSTOMIZE_API && kind === 'Kustomization') return [];
  const problems = isKnownCustomResource(apiVersion, kind)
    ? customResourceProblems(document.body)
    : (await isBuiltIn(apiVersion, kind))
      ? await builtInProblems(document.body)
      : [`no schema for ${apiVersion} ${kind}`];
  return problems.map((problem) => `${what}: ${problem}`);
}

/** Every finding of a set of documents (empty when they are valid). */
export async function validateDocuments(documents: ManifestDocument[]): Promise<string[]> {
  const schema = (await Promise.all(documents.map(schemaProblems))).flat();
  const rules = [...checks, ...referenceChecks].flatMap((check) => check(documents));
  return [...schema, ...rules];
}

/** Every finding of the manifests in a folder, including its kustomization.yaml's list. */
export async function validateFolder(folder: string): Promise<string[]> {
  const documents = readYamlFolder(folder);
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml'));
  const kustomization = documents.find((d) => d.body.kind === 'Kustomization');
  const listed = kustomization ? kustomizationProblems(kustomization.body, files) : [];
  return [...(await validateDocuments(documents)), ...listed];
}
