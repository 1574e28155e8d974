import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import YAML from 'yaml';
import type { Entry } from './types';
import { normalize } from '../understanding/normalize';
import { slotCatalog } from '../understanding/slots';
import { fromRoot } from '../config/paths';
import { validatedOnce } from './validatedCache';

export const KNOWLEDGE_DIR = fromRoot('knowledge');

export class KnowledgeError extends Error {}

export interface KnowledgeBase {
  entries: Entry[];
  byId: Map<string, Entry>;
}

function listYaml(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listYaml(path.join(dir, d.name)) : d.name.endsWith('.yaml') ? [path.join(dir, d.name)] : []))
    .sort();
}

/** Problems the schema cannot express: duplicate ids, a phrase taught to two entries, file placement, one-sided sharedWith, a code shown as text. */
function crossCheck(entries: { entry: Entry; file: string }[]): string[] {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const { entry, file } of entries) {
    if (ids.has(entry.id)) problems.push(`${file}: id ${entry.id} already used by ${ids.get(entry.id)}`);
    ids.set(entry.id, file);
    const expectedName = entry.id.includes('.') ? entry.id.split('.')[1] : entry.id;
    if (path.basename(file, '.yaml') !== expectedName) problems.push(`${file}: file name should be ${expectedName}.yaml`);
    if (entry.kind !== 'none' && entry.kind !== 'smalltalk' && entry.kind !== 'handoff' && !entry.examples.zh?.length) {
      problems.push(`${file}: no zh examples`);
    }
    if (!entry.examples.en?.length) problems.push(`${file}: no en examples`);
    for (const phrase of [...(entry.examples.zh ?? []), ...(entry.examples.en ?? [])]) {
      const key = normalize(phrase);
      const owner = owners.get(key);
      if (owner && owner !== entry.id) problems.push(`${file}: example "${phrase}" is also taught to ${owner}`);
      owners.set(key, entry.id);
    }
  }
  // A choice detail's value is a code (hmtResidencePermit): a case shows it by its label, {certTypeName}.
  const choiceSlots = Object.entries(slotCatalog().slots).filter(([, d]) => d.choices).map(([name]) => name);
  for (const { entry, file } of entries) {
    for (const c of entry.cases ?? []) {
      for (const [, name] of `${c.zh}${c.en}`.matchAll(/\{(\w+)\}/g)) {
        if (choiceSlots.includes(name)) problems.push(`${file}: placeholder {${name}} shows a code; use {${name}Name}`);
      }
    }
  }
  const byId = new Map(entries.map(({ entry }) => [entry.id, entry]));
  for (const { entry, file } of entries) {
    for (const other of entry.sharedWith ?? []) {
      const twin = byId.get(other);
      if (!twin) problems.push(`${file}: sharedWith names unknown entry ${other}`);
      else if (twin.product === entry.product) problems.push(`${file}: sharedWith ${other} is of the same product`);
      else if (!twin.sharedWith?.includes(entry.id)) problems.push(`${file}: ${other} must list ${entry.id} in its sharedWith too`);
    }
    const own = new Set([...(entry.prompts?.zh ?? []), ...(entry.prompts?.en ?? [])]);
    for (const [other, prompts] of Object.entries(entry.sharedPrompts ?? {})) {
      if (!entry.sharedWith?.includes(other)) problems.push(`${file}: sharedPrompts names ${other}, which is not in sharedWith`);
      for (const prompt of prompts) if (!own.has(prompt)) problems.push(`${file}: sharedPrompts lists "${prompt}", which is not one of its prompts`);
    }
  }
  return problems;
}

/**
 * Reads every entry in knowledge/entries, validates it against the schema and across entries; throws on any problem.
 * The package's own knowledge is validated once per content (kb/validatedCache.ts) unless `cached` is false.
 */
export function loadKnowledgeBase(dir = KNOWLEDGE_DIR, options: { cached?: boolean } = {}): KnowledgeBase {
  const useCache = dir === KNOWLEDGE_DIR && options.cached !== false;
  const entries = useCache ? validatedOnce('entries', () => validateEntries(dir)) : validateEntries(dir);
  return { entries, byId: new Map(entries.map((e) => [e.id, e])) };
}

function validateEntries(dir: string): Entry[] {
  const schema = JSON.parse(fs.readFileSync(path.join(dir, 'schema', 'entry.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
  const problems: string[] = [];
  const loaded: { entry: Entry; file: string }[] = [];
  for (const file of listYaml(path.join(dir, 'entries'))) {
    const rel = path.relative(dir, file);
    let data: unknown;
    try {
      data = YAML.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      problems.push(`${rel}: not valid YAML: ${(err as Error).message}`);
      continue;
    }
    if (!validate(data)) {
      for (const e of validate.errors ?? []) problems.push(`${rel}: ${e.instancePath || '/'} ${e.message}`);
      continue;
    }
    loaded.push({ entry: data as Entry, file: rel });
  }
  problems.push(...crossCheck(loaded));
  if (problems.length) throw new KnowledgeError(`knowledge base has ${problems.length} problem(s):\n${problems.join('\n')}`);
  return loaded.map((l) => l.entry);
}
