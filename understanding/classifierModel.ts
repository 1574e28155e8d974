import type { Entry } from '../kb/types';
import type { Lang } from './language';
import { normalize } from './normalize';
import { extractFeatures, promptUnits, type FeatureBag } from './features';
import { domainDictionary, loadSegmenter } from './segmenter';
import { SoftmaxRegression, type SparseInput, type TrainingOptions } from './softmaxRegression';

/** Postings per term in one flat layout (compressed sparse rows): term t's are items[offsets[t]] … items[offsets[t + 1] - 1]. */
export interface Postings {
  offsets: Int32Array;
  items: Int32Array;
  weights: Float64Array;
}

/**
 * Everything the classifier learns from the knowledge base, as plain data: built once (npm run build, or the first start
 * after a knowledge change) and loaded from the model cache afterwards (see modelCache.ts).
 */
export interface ClassifierModel {
  /** Entry ids in the order every per-entry array uses. */
  entryIds: string[];
  /** The jieba dictionary the phrasings were cut with; messages must be cut with the same one. */
  dictionary: string;
  /** Term table: features of the phrasings (indices below featureCount, the model's inputs), then prompt units only prompts have. */
  terms: string[];
  featureCount: number;
  /** IDF per term; a term never seen weighs unseenIdf. */
  idf: Float64Array;
  unseenIdf: number;
  /** Phrase index → entry index. */
  phraseEntry: Int32Array;
  /** Per feature: the phrases having it, with the feature's weight in each phrase's unit vector. */
  phrasePostings: Postings;
  /** Per feature: the entries whose centroid has it, with its weight in the normalized centroid. */
  centroidPostings: Postings;
  /** Per term: the verbatim prompts having it as a unit, with the unit's IDF weight. */
  promptPostings: Postings;
  /** Per prompt: its entry, its unit count and the sum of its units' weights. */
  promptEntry: Int32Array;
  promptSize: Int32Array;
  promptTotal: Float64Array;
  /** The softmax regression over the features: weights by class then feature, and a bias per class. */
  weights: Float64Array;
  bias: Float64Array;
}

export function phrasesOf(entry: Entry): { lang: Lang; text: string }[] {
  return (['zh', 'en'] as const).flatMap((lang) =>
    [...(entry.prompts?.[lang] ?? []), ...(entry.examples[lang] ?? []), entry.title[lang]].map((text) => ({ lang, text })),
  );
}

/** Sublinear term frequency times IDF, normalized to unit length: the weighting of phrases and messages alike. */
export function tfIdf(bag: FeatureBag, idfOf: (term: string) => number): { terms: string[]; weights: Float64Array } {
  const terms = [...bag.keys()];
  const weights = new Float64Array(terms.length);
  let norm = 0;
  terms.forEach((term, i) => {
    const w = (1 + Math.log(bag.get(term)!)) * idfOf(term);
    weights[i] = w;
    norm += w * w;
  });
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < weights.length; i++) weights[i] /= norm;
  return { terms, weights };
}

function toPostings(lists: { items: number[]; weights: number[] }[]): Postings {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, t) => (offsets[t + 1] = offsets[t] + list.items.length));
  return { offsets, items: Int32Array.from(lists.flatMap((l) => l.items)), weights: Float64Array.from(lists.flatMap((l) => l.weights)) };
}

/** Cuts the entries' phrasings, weighs their features and trains the model: the start-up cost the model cache saves. */
export function buildClassifierModel(entries: Entry[], training: TrainingOptions): ClassifierModel {
  const phrasings = entries.map((entry) => phrasesOf(entry).map(({ text }) => normalize(text)));
  const dictionary = domainDictionary(phrasings.flat());
  loadSegmenter(dictionary);

  const bags: { entry: number; bag: FeatureBag }[] = [];
  phrasings.forEach((texts, entry) => {
    for (const text of texts) bags.push({ entry, bag: extractFeatures(text) });
  });
  const df = new Map<string, number>();
  for (const { bag } of bags) for (const term of bag.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const termIndex = new Map([...df.keys()].map((term, i) => [term, i]));
  const featureCount = termIndex.size;
  const idfValues = [...df.values()].map((count) => Math.log((bags.length + 1) / (count + 1)) + 1);
  const unseenIdf = Math.log(bags.length + 1) + 1;
  const idfOf = (term: string) => {
    const t = termIndex.get(term);
    return t === undefined || t >= featureCount ? unseenIdf : idfValues[t];
  };

  const prompts: { entry: number; units: Map<string, number>; total: number }[] = [];
  entries.forEach((entry, index) => {
    for (const text of [...(entry.prompts?.zh ?? []), ...(entry.prompts?.en ?? [])]) {
      const units = new Map([...promptUnits(normalize(text))].map((u) => [u, idfOf(u)]));
      const total = [...units.values()].reduce((sum, w) => sum + w, 0);
      if (units.size) prompts.push({ entry: index, units, total });
    }
  });
  for (const { units } of prompts) for (const unit of units.keys()) if (!termIndex.has(unit)) termIndex.set(unit, termIndex.size);
  const terms = [...termIndex.keys()];
  const idf = Float64Array.from(terms, (term, t) => (t < featureCount ? idfValues[t] : unseenIdf));

  const phraseLists = terms.map(() => ({ items: [] as number[], weights: [] as number[] }));
  const centroids = entries.map(() => new Map<number, number>());
  const inputs: SparseInput[] = [];
  bags.forEach(({ entry, bag }, phrase) => {
    const vector = tfIdf(bag, idfOf);
    const indices = Int32Array.from(vector.terms, (term) => termIndex.get(term)!);
    inputs.push({ indices, values: vector.weights });
    indices.forEach((t, i) => {
      phraseLists[t].items.push(phrase);
      phraseLists[t].weights.push(vector.weights[i]);
      centroids[entry].set(t, (centroids[entry].get(t) ?? 0) + vector.weights[i]);
    });
  });
  const centroidLists = terms.map(() => ({ items: [] as number[], weights: [] as number[] }));
  centroids.forEach((centroid, entry) => {
    const norm = Math.sqrt([...centroid.values()].reduce((s, w) => s + w * w, 0)) || 1;
    for (const [t, w] of centroid) {
      centroidLists[t].items.push(entry);
      centroidLists[t].weights.push(w / norm);
    }
  });
  const promptLists = terms.map(() => ({ items: [] as number[], weights: [] as number[] }));
  prompts.forEach(({ units }, p) => {
    for (const [unit, w] of units) {
      promptLists[termIndex.get(unit)!].items.push(p);
      promptLists[termIndex.get(unit)!].weights.push(w);
    }
  });

  const labels = bags.map((b) => b.entry);
  const model = SoftmaxRegression.train(inputs, labels, entries.length, featureCount, training);
  return {
    entryIds: entries.map((e) => e.id),
    dictionary,
    terms,
    featureCount,
    idf,
    unseenIdf,
    phraseEntry: Int32Array.from(labels),
    phrasePostings: toPostings(phraseLists),
    centroidPostings: toPostings(centroidLists),
    promptPostings: toPostings(promptLists),
    promptEntry: Int32Array.from(prompts, (p) => p.entry),
    promptSize: Int32Array.from(prompts, (p) => p.units.size),
    promptTotal: Float64Array.from(prompts, (p) => p.total),
    weights: model.weights,
    bias: model.bias,
  };
}
