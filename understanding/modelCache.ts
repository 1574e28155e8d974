import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import type { KnowledgeBase } from '../kb/knowledgeBase';
import { cacheDir, fromRoot } from '../config/paths';
import { buildClassifierModel, type ClassifierModel, type Postings } from './classifierModel';
import { USER_DICT } from './segmenter';
import { VARIANTS_FILE } from './normalize';
import { TUNING } from './classifier';

/** Bumped when the file layout changes; the content hash covers everything else. */
const FORMAT = 'rnbot-classifier-model 1\n';
const MAGIC = Buffer.from(FORMAT);
const DIGEST_BYTES = 32;

/** The code that computes the model, and the libraries that cut, read and spell the text it learns from. */
const MODEL_CODE = ['./classifierModel', './features', './normalize', './segmenter', './softmaxRegression', './classifier'];
const MODEL_LIBRARIES = ['nodejieba', 'pinyin-pro', 'natural', 'opencc-js'];

export interface ModelOrigin {
  /** 'cache': loaded from the file; 'built': trained now (no file, or a stale or unreadable one: see reason). */
  origin: 'cache' | 'built';
  file: string;
  reason?: string;
  /** Why a model built now could not be saved (read-only folder …); the next start builds it again. */
  saveError?: string;
}

/** Where models are cached: MODEL_CACHE_DIR, or .cache/ in the package. Sources and build each keep their own file. */
export function modelFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `classifier-${path.extname(__filename).slice(1)}.model`);
}

/**
 * Content hash of everything the model depends on: the phrasings it learns from (entry ids, titles, prompts, examples), the
 * variant spellings and user dictionary, the code that computes it and the versions of the libraries it reads text with.
 */
export function modelKey(kb: KnowledgeBase): string {
  const hash = createHash('sha256').update(FORMAT);
  for (const module of MODEL_CODE) hash.update(fs.readFileSync(require.resolve(module)));
  for (const name of MODEL_LIBRARIES) hash.update(`${name}@${JSON.parse(fs.readFileSync(fromRoot('node_modules', name, 'package.json'), 'utf8')).version}\n`);
  hash.update(fs.readFileSync(VARIANTS_FILE)).update(fs.readFileSync(USER_DICT));
  hash.update(JSON.stringify(kb.entries.map((e) => [e.id, e.title, e.prompts ?? {}, e.examples])));
  return hash.digest('hex');
}

/** The file's bytes: format line, SHA-256 of the payload (integrity), payload (the key and the model, v8-serialized). */
export function encodeModel(key: string, model: ClassifierModel): Buffer {
  const payload = v8.serialize({ key, model });
  return Buffer.concat([MAGIC, createHash('sha256').update(payload).digest(), payload]);
}

/** The model in a file's bytes when they are whole and were built for this key; otherwise why not. */
export function decodeModel(bytes: Buffer, key: string, entryIds: string[]): ClassifierModel | string {
  if (bytes.length < MAGIC.length + DIGEST_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a model file of this format';
  const digest = bytes.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES);
  const payload = bytes.subarray(MAGIC.length + DIGEST_BYTES);
  if (!createHash('sha256').update(payload).digest().equals(digest)) return 'corrupt (checksum mismatch)';
  let content: { key?: unknown; model?: ClassifierModel };
  try {
    content = v8.deserialize(payload);
  } catch {
    return 'corrupt (unreadable)';
  }
  if (content?.key !== key) return 'stale (built from another knowledge base or code)';
  return fits(content.model, entryIds) ? content.model! : 'corrupt (inconsistent arrays)';
}

// By tag, not instanceof: v8.deserialize makes its arrays in the main realm, which a jest or vm sandbox does not share.
const isInt32Array = (x: unknown): x is Int32Array => Object.prototype.toString.call(x) === '[object Int32Array]';
const isFloat64Array = (x: unknown): x is Float64Array => Object.prototype.toString.call(x) === '[object Float64Array]';

function postingsFit(p: Postings | undefined, terms: number, itemCount: number): boolean {
  if (!isInt32Array(p?.offsets) || !isInt32Array(p.items) || !isFloat64Array(p.weights)) return false;
  if (p.offsets.length !== terms + 1 || p.offsets[0] !== 0 || p.offsets[terms] !== p.items.length || p.weights.length !== p.items.length) return false;
  for (let t = 0; t < terms; t++) if (p.offsets[t] > p.offsets[t + 1]) return false;
  for (const item of p.items) if (item < 0 || item >= itemCount) return false;
  return true;
}

/** Whether every array has the size and range the classifier indexes it with (a checksum proves the bytes, not the build). */
function fits(m: ClassifierModel | undefined, entryIds: string[]): boolean {
  if (!m || !Array.isArray(m.terms) || !Array.isArray(m.entryIds) || typeof m.dictionary !== 'string') return false;
  if (m.entryIds.length !== entryIds.length || m.entryIds.some((id, i) => id !== entryIds[i])) return false;
  const terms = m.terms.length;
  const entries = entryIds.length;
  const prompts = m.promptEntry?.length ?? -1;
  return (
    Number.isInteger(m.featureCount) &&
    m.featureCount <= terms &&
    isFloat64Array(m.idf) &&
    m.idf.length === terms &&
    typeof m.unseenIdf === 'number' &&
    isInt32Array(m.phraseEntry) &&
    m.phraseEntry.every((e) => e >= 0 && e < entries) &&
    postingsFit(m.phrasePostings, terms, m.phraseEntry.length) &&
    postingsFit(m.centroidPostings, terms, entries) &&
    postingsFit(m.promptPostings, terms, prompts) &&
    isInt32Array(m.promptEntry) &&
    m.promptEntry.every((e) => e >= 0 && e < entries) &&
    isInt32Array(m.promptSize) &&
    m.promptSize.length === prompts &&
    isFloat64Array(m.promptTotal) &&
    m.promptTotal.length === prompts &&
    isFloat64Array(m.weights) &&
    m.weights.length === entries * m.featureCount &&
    isFloat64Array(m.bias) &&
    m.bias.length === entries
  );
}

/**
 * The classifier model of a knowledge base: read from the cache file when it was built from the same content and is whole,
 * otherwise built (a few seconds) and saved for the next start. A stale or corrupt file is never used.
 */
export function loadClassifierModel(kb: KnowledgeBase, file = modelFile()): { model: ClassifierModel } & ModelOrigin {
  const key = modelKey(kb);
  const entryIds = kb.entries.map((e) => e.id);
  let reason = 'no model file';
  if (fs.existsSync(file)) {
    const decoded = decodeModel(fs.readFileSync(file), key, entryIds);
    if (typeof decoded !== 'string') return { model: decoded, origin: 'cache', file };
    reason = decoded;
  }
  const model = buildClassifierModel(kb.entries, TUNING.training);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written aside and renamed: a process reading it meanwhile (another test worker, a second instance) sees the old or the new file whole.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, encodeModel(key, model));
    fs.renameSync(partial, file);
    return { model, origin: 'built', file, reason };
  } catch (err) {
    return { model, origin: 'built', file, reason, saveError: (err as Error).message };
  }
}
