/**
 * Reads deployment YAML files into plain objects, one per document, each with the file it came
 * from so that a finding names its place.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ManifestDocument {
  /** File name relative to the folder read, and the document's index in it. */
  source: string;
  body: JsonObject;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses every document of a YAML text; a syntax error or a non-object document throws. */
export function parseDocuments(text: string, file: string): ManifestDocument[] {
  return parseAllDocuments(text, { merge: true }).flatMap((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    }
    const body: unknown = document.toJS();
    if (body === null || body === undefined) return [];
    if (!isObject(body)) throw new Error(`${file}#${index}: a document must be a mapping`);
    return [{ source: `${file}#${index}`, body }];
  });
}

/** Every `*.yaml` file of a folder (not its subfolders), in name order. */
export function readYamlFolder(folder: string): ManifestDocument[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort()
    .flatMap((name) => parseDocuments(readFileSync(path.join(folder, name), 'utf8'), name));
}

/** The value at a dotted path of plain object keys, or undefined. */
export function at(value: Json | undefined, ...keys: string[]): Json | undefined {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}
