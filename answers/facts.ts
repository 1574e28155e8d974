import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import YAML from 'yaml';
import type { CertProblemCode } from './certNumber';
import { fromRoot } from '../config/paths';
import { validatedOnce } from '../kb/validatedCache';

/** Structured facts of the documents, as data: knowledge/facts/*.yaml and knowledge/messages/diagnostics.yaml. */

export const FACTS_KNOWLEDGE_DIR = fromRoot('knowledge');

export type Bilingual = { zh: string; en: string };

export const SITES = ['china', 'international'] as const;
export const REGIONS = ['mainland', 'hk', 'mo', 'tw', 'overseas'] as const;
export const HOLDER_TYPES = ['individual', 'organization'] as const;
export const UPLOAD_CONTEXTS = ['china', 'international', 'icp'] as const;

export type Site = (typeof SITES)[number];
export type Region = (typeof REGIONS)[number];
export type HolderType = (typeof HOLDER_TYPES)[number];
/** Where an image is uploaded: a domain site, or the Alibaba Cloud app for ICP filing. */
export type UploadContext = (typeof UPLOAD_CONTEXTS)[number];

/** knowledge/facts/cn-registration.yaml */
export interface CnRegistrationFacts {
  domains: string[];
  supported: Record<Site, Record<Region, Record<HolderType, boolean>>>;
  sites: Record<Site, Bilingual>;
  regions: Record<Region, Bilingual>;
  holderTypes: Record<HolderType, Bilingual>;
}

/** One upload rule of knowledge/facts/upload-rules.yaml; sizes in bytes (1 KB = 1024 bytes, 1 MB = 1024 × 1024). */
export interface UploadRule {
  source: string;
  name: Bilingual;
  /** Real formats accepted, named like file-type's `ext` (jpg covers .jpg and .jpeg). */
  formats: string[];
  formatsText: Bilingual;
  minBytes?: number;
  maxBytes: number;
  /** true: a file of exactly maxBytes is accepted; false: it must be smaller. */
  maxInclusive: boolean;
  sizeText: Bilingual;
}

export interface UploadRulesFacts {
  rules: Record<UploadContext, UploadRule>;
  /** Extensions that name the same format, keyed by the format. */
  sameFormat: Record<string, string[]>;
  formatNames: Record<string, string>;
}

/** knowledge/facts/legal-rep-provinces.yaml */
export interface LegalRepFacts {
  legalRepRequired: string[];
  provinces: Record<string, Bilingual>;
}

/** Diagnostic templates: one per problem code, with separators and the look-alike guess told apart by where they are. */
export type CertProblemTemplate =
  | Exclude<CertProblemCode, 'separator'>
  | 'separatorStart'
  | 'separatorBetween'
  | 'separatorEnd'
  | 'excludedLetterNoGuess';
export type ImageProblemTemplate = 'unreadable' | 'notImage' | 'renamed' | 'formatNotAllowed' | 'tooSmall' | 'tooLarge';

/** knowledge/messages/diagnostics.yaml */
export interface DiagnosticsMessages {
  list: { item: Bilingual };
  certNumber: {
    kinds: Record<'idCard' | 'uscc' | 'unknown' | 'other', Bilingual>;
    chars: Record<'space' | 'letter' | 'digit' | 'other', Bilingual>;
    problems: Record<CertProblemTemplate, Bilingual>;
  };
  image: {
    unknownFormat: Bilingual;
    bytes: Bilingual;
    sizeExact: Bilingual;
    problems: Record<ImageProblemTemplate, Bilingual>;
  };
}

export interface Facts {
  cnRegistration: CnRegistrationFacts;
  uploadRules: UploadRulesFacts;
  legalRep: LegalRepFacts;
  diagnostics: DiagnosticsMessages;
}

export class FactsError extends Error {}

const FILES = {
  cnRegistration: { file: 'facts/cn-registration.yaml', schema: 'cn-registration.schema.json' },
  uploadRules: { file: 'facts/upload-rules.yaml', schema: 'upload-rules.schema.json' },
  legalRep: { file: 'facts/legal-rep-provinces.yaml', schema: 'legal-rep-provinces.schema.json' },
  diagnostics: { file: 'messages/diagnostics.yaml', schema: 'diagnostics.schema.json' },
} as const;

/** Reads and validates every facts file under `dir` (a knowledge folder); throws a FactsError listing every problem. */
export function loadFacts(dir = FACTS_KNOWLEDGE_DIR): Facts {
  const problems: string[] = [];
  const loaded: Partial<Record<keyof Facts, unknown>> = {};
  for (const [key, { file, schema }] of Object.entries(FILES) as [keyof Facts, { file: string; schema: string }][]) {
    try {
      const validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(dir, 'schema', schema), 'utf8')));
      const data: unknown = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (validate(data)) loaded[key] = data;
      else for (const e of validate.errors ?? []) problems.push(`${file}: ${e.instancePath || '/'} ${e.message}`);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  if (!problems.length) problems.push(...crossCheck(loaded as Facts));
  if (problems.length) throw new FactsError(`facts have ${problems.length} problem(s):\n${problems.join('\n')}`);
  return loaded as Facts;
}

/** What the schemas cannot say: references between the tables. */
function crossCheck(facts: Facts): string[] {
  const problems: string[] = [];
  for (const [context, rule] of Object.entries(facts.uploadRules.rules)) {
    if (rule.minBytes !== undefined && rule.minBytes >= rule.maxBytes) problems.push(`upload rule ${context}: minBytes must be below maxBytes`);
  }
  const aliases = new Map<string, string>();
  for (const [format, extensions] of Object.entries(facts.uploadRules.sameFormat)) {
    if (!extensions.includes(format)) problems.push(`sameFormat.${format} must list ${format} itself`);
    for (const ext of extensions) {
      if (aliases.has(ext)) problems.push(`extension ${ext} is in sameFormat.${aliases.get(ext)} and sameFormat.${format}`);
      aliases.set(ext, format);
    }
  }
  for (const [context, rule] of Object.entries(facts.uploadRules.rules)) {
    for (const f of rule.formats) if (aliases.has(f) && aliases.get(f) !== f) problems.push(`upload rule ${context}: write ${aliases.get(f)}, not ${f}`);
  }
  return problems;
}

let cached: Facts | undefined;

/** The project's facts, loaded and validated once. */
export function facts(): Facts {
  return (cached ??= validatedOnce('facts', () => loadFacts()));
}
