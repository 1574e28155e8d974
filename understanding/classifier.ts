import type { Entry, Product } from '../kb/types';
import type { KnowledgeBase } from '../kb/knowledgeBase';
import { normalize } from './normalize';
import { detectLanguage, type Lang } from './language';
import { extractFeatures, promptUnits, type FeatureBag } from './features';
import { mentionedProduct } from './details';

export interface Candidate {
  id: string;
  product: Product;
  /** Calibrated confidence that this entry is what the user means, 0..1. */
  score: number;
}

export interface Classification {
  /** The entry to act on, 'none' (out of scope), or 'clarify' (close candidates from different products). */
  intent: string;
  score: number;
  /** Best entries first; on a clarification, the ones to choose between come first. */
  candidates: Candidate[];
  /** Language the text is written in, when it tells. */
  lang?: Lang;
}

export interface ClassifyOptions {
  /** A product already known from the conversation or the host page: settles a cross-product tie. */
  product?: Product;
}

/** Tuning constants; each is checked by the labelled test set (npm run kb -- eval). */
export const TUNING = {
  /** Below this raw score the message is out of scope. */
  noneThreshold: 0.28,
  /** Candidates from different products closer than this are clarified, not guessed. */
  clarifyMargin: 0.035,
  /** A candidate of the product the user named wins over a better one of another product within this margin. */
  productMargin: 0.08,
  /** Share of the raw score that always comes from phrase similarity, so a prompt shared by two products is settled by context. */
  similarityShare: 0.15,
  /** Logistic calibration of the best raw score, and the softmax temperature that shares it among candidates. */
  calibrationSlope: 12,
  calibrationCenter: 0.33,
  temperature: 0.06,
};

interface SparseVector {
  terms: string[];
  weights: Float64Array;
}

interface Phrase {
  entry: number;
  units?: Set<string>;
}

const CANDIDATE_COUNT = 5;

/**
 * TF-IDF nearest-phrase classifier with prompt coverage, written here because the job combines three signals no
 * maintained library offers together: similarity to the entry's example phrasings (words, character and pinyin
 * bigrams), coverage of a verbatim system prompt pasted whole or in part, and a cross-product clarification rule.
 */
export class Classifier {
  private readonly entries: Entry[];
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;
  /** term → postings of (phrase index, weight); a sparse inverted index over every phrase. */
  private readonly postings = new Map<string, { phrase: number; weight: number }[]>();
  private readonly phrases: Phrase[] = [];
  /** term → (entry, weight) of each entry's normalized centroid. */
  private readonly centroidPostings = new Map<string, { entry: number; weight: number }[]>();
  /** Each verbatim prompt's units with their IDF weights: a rare phrase of a prompt counts for more than 实名认证. */
  private readonly prompts: { entry: number; units: Map<string, number>; total: number }[] = [];

  constructor(kb: KnowledgeBase) {
    this.entries = kb.entries;
    const bags: { entry: number; bag: FeatureBag }[] = [];
    this.entries.forEach((entry, index) => {
      for (const { text } of phrasesOf(entry)) bags.push({ entry: index, bag: extractFeatures(normalize(text)) });
    });

    const df = new Map<string, number>();
    for (const { bag } of bags) for (const term of bag.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    for (const [term, count] of df) this.idf.set(term, Math.log((bags.length + 1) / (count + 1)) + 1);
    this.unseenIdf = Math.log(bags.length + 1) + 1;
    this.entries.forEach((entry, index) => {
      for (const text of [...(entry.prompts?.zh ?? []), ...(entry.prompts?.en ?? [])]) {
        const units = new Map([...promptUnits(normalize(text))].map((u) => [u, this.weightOf(u)]));
        const total = [...units.values()].reduce((sum, w) => sum + w, 0);
        if (units.size) this.prompts.push({ entry: index, units, total });
      }
    });

    const centroids = this.entries.map(() => new Map<string, number>());
    bags.forEach(({ entry, bag }, index) => {
      const vector = this.vectorize(bag);
      this.phrases.push({ entry });
      vector.terms.forEach((term, i) => {
        const list = this.postings.get(term) ?? [];
        list.push({ phrase: index, weight: vector.weights[i] });
        this.postings.set(term, list);
        const centroid = centroids[entry];
        centroid.set(term, (centroid.get(term) ?? 0) + vector.weights[i]);
      });
    });
    centroids.forEach((centroid, entry) => {
      const norm = Math.sqrt([...centroid.values()].reduce((s, w) => s + w * w, 0)) || 1;
      for (const [term, w] of centroid) {
        const list = this.centroidPostings.get(term) ?? [];
        list.push({ entry, weight: w / norm });
        this.centroidPostings.set(term, list);
      }
    });
  }

  private weightOf(term: string): number {
    return this.idf.get(term) ?? this.unseenIdf;
  }

  private vectorize(bag: FeatureBag): SparseVector {
    const terms = [...bag.keys()];
    const weights = new Float64Array(terms.length);
    let norm = 0;
    terms.forEach((term, i) => {
      const w = (1 + Math.log(bag.get(term)!)) * (this.idf.get(term) ?? this.unseenIdf);
      weights[i] = w;
      norm += w * w;
    });
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < weights.length; i++) weights[i] /= norm;
    return { terms, weights };
  }

  /** Raw score per entry, 0..1: the best of phrase similarity and prompt coverage, plus a share of similarity. */
  private rawScores(normalized: string): Float64Array {
    const query = this.vectorize(extractFeatures(normalized));
    const phraseSim = new Float64Array(this.phrases.length);
    const centroidSim = new Float64Array(this.entries.length);
    query.terms.forEach((term, i) => {
      const qw = query.weights[i];
      for (const { phrase, weight } of this.postings.get(term) ?? []) phraseSim[phrase] += qw * weight;
      for (const { entry, weight } of this.centroidPostings.get(term) ?? []) centroidSim[entry] += qw * weight;
    });
    const bestPhrase = new Float64Array(this.entries.length);
    phraseSim.forEach((sim, p) => {
      const e = this.phrases[p].entry;
      if (sim > bestPhrase[e]) bestPhrase[e] = sim;
    });

    const coverage = new Float64Array(this.entries.length);
    const units = promptUnits(normalized);
    if (units.size) {
      let queryTotal = 0;
      for (const u of units) queryTotal += this.weightOf(u);
      for (const prompt of this.prompts) {
        let matched = 0;
        let weight = 0;
        for (const [u, w] of prompt.units) {
          if (!units.has(u)) continue;
          matched++;
          weight += w;
        }
        if (!matched) continue;
        // Whole prompt inside the message (pasted with words around it), or the message inside the prompt (a fragment).
        // Of two prompts matched, the one that explains more of the message wins: 注册联系人信息有误 alone is its own
        // entry; 注册联系人信息有误，请检测：Command syntax error is the longer prompt's.
        const whole = (weight / prompt.total) * Math.min(1, prompt.units.size / 3) * (0.85 + 0.15 * Math.min(1, weight / queryTotal));
        const fragment = (weight / queryTotal) * Math.min(1, matched / 6) * (0.85 + 0.15 * (weight / prompt.total));
        const score = Math.max(whole, fragment);
        if (score > coverage[prompt.entry]) coverage[prompt.entry] = score;
      }
    }

    const raw = new Float64Array(this.entries.length);
    const share = TUNING.similarityShare;
    for (let e = 0; e < raw.length; e++) {
      const similarity = 0.75 * bestPhrase[e] + 0.25 * centroidSim[e];
      raw[e] = (1 - share) * Math.max(similarity, coverage[e]) + share * similarity;
    }
    return raw;
  }

  classify(text: string, options: ClassifyOptions = {}): Classification {
    const normalized = normalize(text);
    const lang = detectLanguage(normalized);
    const raw = this.rawScores(normalized);
    const order = [...raw.keys()].sort((a, b) => raw[b] - raw[a]).slice(0, CANDIDATE_COUNT * 2);
    const best = raw[order[0]] ?? 0;
    const confidence = 1 / (1 + Math.exp(-TUNING.calibrationSlope * (best - TUNING.calibrationCenter)));
    const exps = order.map((e) => Math.exp((raw[e] - best) / TUNING.temperature));
    const total = exps.reduce((s, x) => s + x, 0);
    const candidates: Candidate[] = order.map((e, i) => ({
      id: this.entries[e].id,
      product: this.entries[e].product,
      score: round((exps[i] / total) * confidence),
    }));

    const top = this.entries[order[0]];
    if (!top || best < TUNING.noneThreshold || top.kind === 'none') {
      return { intent: 'none', score: top?.kind === 'none' ? candidates[0].score : round(1 - confidence), candidates: candidates.slice(0, CANDIDATE_COUNT), lang };
    }

    // The product known from the conversation, or named in the message itself (备案, 大鱼号, domain …), settles a close call.
    const product = options.product ?? (mentionedProduct(text) as Product | undefined);
    const crossProduct = (e: number) => this.entries[e].product !== top.product && this.entries[e].product !== 'general' && top.product !== 'general';
    if (product && top.product !== product && top.product !== 'general') {
      const preferred = order.find((e) => this.entries[e].product === product && best - raw[e] < TUNING.productMargin);
      if (preferred !== undefined) {
        const chosen = candidates.find((c) => c.id === this.entries[preferred].id)!;
        return { intent: chosen.id, score: chosen.score, candidates: [chosen, ...candidates.filter((c) => c !== chosen)].slice(0, CANDIDATE_COUNT), lang };
      }
    }
    const rival = order.slice(1).find((e) => crossProduct(e) && best - raw[e] < TUNING.clarifyMargin);
    if (rival !== undefined && top.product !== product) {
      const tiedIds = [order[0], rival].map((e) => this.entries[e].id);
      const first = candidates.filter((c) => tiedIds.includes(c.id));
      return { intent: 'clarify', score: round(first[0].score + first[1].score), candidates: [...first, ...candidates.filter((c) => !tiedIds.includes(c.id))].slice(0, CANDIDATE_COUNT), lang };
    }
    return { intent: top.id, score: candidates[0].score, candidates: candidates.slice(0, CANDIDATE_COUNT), lang };
  }

  /** Every phrase the classifier learns from, for export. */
  *trainingPhrases(): Generator<{ id: string; lang: Lang; text: string }> {
    for (const entry of this.entries) for (const phrase of phrasesOf(entry)) yield { id: entry.id, ...phrase };
  }
}

function phrasesOf(entry: Entry): { lang: Lang; text: string }[] {
  return (['zh', 'en'] as const).flatMap((lang) =>
    [...(entry.prompts?.[lang] ?? []), ...(entry.examples[lang] ?? []), entry.title[lang]].map((text) => ({ lang, text })),
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
