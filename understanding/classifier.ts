import type { Entry, Product } from '../kb/types';
import type { KnowledgeBase } from '../kb/knowledgeBase';
import { normalize } from './normalize';
import { detectLanguage, type Lang } from './language';
import { extractFeatures, promptUnits, type FeatureBag } from './features';
import { mentionedProduct } from './details';
import { SoftmaxRegression, type SparseInput } from './softmaxRegression';

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
  /** An entry sharing the top entry's prompt (sharedWith) is a rival when it matches the message at least this well, relatively. */
  twinRatio: 0.6,
  /** Prompt coverage from which a message counts as the prompt pasted (nearly) whole. */
  pastedPrompt: 0.85,
  /** A candidate of the product the user named wins over a better one of another product within this margin. */
  productMargin: 0.4,
  /** Share of the raw score that always comes from phrase similarity, so a prompt shared by two products is settled by context. */
  similarityShare: 0.15,
  /** Share of the score that comes from the trained model; the rest is phrase similarity and prompt coverage. */
  modelShare: 0.5,
  /** Training of the model (see SoftmaxRegression). */
  training: { epochs: 6, learningRate: 0.5, l2: 1e-4, seed: 20261123 },
  /** Logistic calibration of the best raw score, and the softmax temperature that shares it among candidates. */
  calibrationSlope: 12,
  calibrationCenter: 0.33,
  temperature: 0.06,
};

interface SparseVector {
  terms: string[];
  weights: Float64Array;
}

interface Scores {
  /** What entries are ranked by: the model's probability blended with matching. */
  raw: Float64Array;
  /** The best of phrase similarity and prompt coverage. */
  matching: Float64Array;
  probabilities: Float64Array;
  /** How much of one of the entry's verbatim prompts the message contains (or is contained in). */
  coverage: Float64Array;
}

interface TermPostings {
  feature: number;
  phrases: Int32Array;
  phraseWeights: Float64Array;
  entries: Int32Array;
  entryWeights: Float64Array;
}

const CANDIDATE_COUNT = 5;

/**
 * Written here because the job combines signals no maintained library offers together: a softmax regression trained on
 * the entries' phrasings (it learns which words tell entries apart, so paraphrases land), TF-IDF similarity to the
 * nearest example phrasing (words, character and pinyin bigrams), coverage of a verbatim system prompt pasted whole or
 * in part, and a cross-product clarification rule.
 */
export class Classifier {
  private readonly entries: Entry[];
  private readonly idf = new Map<string, number>();
  private readonly unseenIdf: number;
  /** term → its feature index in the model, and its postings over phrases and entry centroids (a sparse inverted index). */
  private readonly index = new Map<string, TermPostings>();
  /** phrase index → entry index. */
  private readonly phraseEntry: Int32Array;
  /** Each verbatim prompt's units with their IDF weights: a rare phrase of a prompt counts for more than 实名认证. */
  private readonly prompts: { entry: number; units: Map<string, number>; total: number }[] = [];
  private readonly model: SoftmaxRegression;

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

    const features = new Map([...df.keys()].map((term, i) => [term, i]));
    const phrasePostings = new Map<string, { phrases: number[]; weights: number[] }>();
    const centroids = this.entries.map(() => new Map<string, number>());
    const inputs: SparseInput[] = [];
    bags.forEach(({ entry, bag }, phrase) => {
      const vector = this.vectorize(bag);
      inputs.push({ indices: Int32Array.from(vector.terms, (term) => features.get(term)!), values: vector.weights });
      vector.terms.forEach((term, i) => {
        const list = phrasePostings.get(term) ?? { phrases: [], weights: [] };
        list.phrases.push(phrase);
        list.weights.push(vector.weights[i]);
        phrasePostings.set(term, list);
        centroids[entry].set(term, (centroids[entry].get(term) ?? 0) + vector.weights[i]);
      });
    });
    this.phraseEntry = Int32Array.from(bags, (b) => b.entry);
    this.model = SoftmaxRegression.train(inputs, bags.map((b) => b.entry), this.entries.length, features.size, TUNING.training);
    const centroidPostings = new Map<string, { entries: number[]; weights: number[] }>();
    centroids.forEach((centroid, entry) => {
      const norm = Math.sqrt([...centroid.values()].reduce((s, w) => s + w * w, 0)) || 1;
      for (const [term, w] of centroid) {
        const list = centroidPostings.get(term) ?? { entries: [], weights: [] };
        list.entries.push(entry);
        list.weights.push(w / norm);
        centroidPostings.set(term, list);
      }
    });
    for (const [term, feature] of features) {
      const phrases = phrasePostings.get(term)!;
      const centroid = centroidPostings.get(term)!;
      this.index.set(term, {
        feature,
        phrases: Int32Array.from(phrases.phrases),
        phraseWeights: Float64Array.from(phrases.weights),
        entries: Int32Array.from(centroid.entries),
        entryWeights: Float64Array.from(centroid.weights),
      });
    }
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

  /** Raw score per entry, 0..1: the model's probability blended with the best of phrase similarity and prompt coverage. */
  private rawScores(normalized: string): Scores {
    const query = this.vectorize(extractFeatures(normalized));
    const phraseSim = new Float64Array(this.phraseEntry.length);
    const centroidSim = new Float64Array(this.entries.length);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < query.terms.length; i++) {
      const postings = this.index.get(query.terms[i]);
      if (!postings) continue;
      const qw = query.weights[i];
      indices.push(postings.feature);
      values.push(qw);
      const { phrases, phraseWeights, entries, entryWeights } = postings;
      for (let j = 0; j < phrases.length; j++) phraseSim[phrases[j]] += qw * phraseWeights[j];
      for (let j = 0; j < entries.length; j++) centroidSim[entries[j]] += qw * entryWeights[j];
    }
    const bestPhrase = new Float64Array(this.entries.length);
    for (let p = 0; p < phraseSim.length; p++) {
      const e = this.phraseEntry[p];
      if (phraseSim[p] > bestPhrase[e]) bestPhrase[e] = phraseSim[p];
    }

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

    const probabilities = this.model.probabilities({ indices: Int32Array.from(indices), values: Float64Array.from(values) });
    const raw = new Float64Array(this.entries.length);
    const matching = new Float64Array(this.entries.length);
    const share = TUNING.similarityShare;
    for (let e = 0; e < raw.length; e++) {
      const similarity = 0.75 * bestPhrase[e] + 0.25 * centroidSim[e];
      matching[e] = (1 - share) * Math.max(similarity, coverage[e]) + share * similarity;
      raw[e] = TUNING.modelShare * probabilities[e] + (1 - TUNING.modelShare) * matching[e];
    }
    return { raw, matching, probabilities, coverage };
  }

  classify(text: string, options: ClassifyOptions = {}): Classification {
    const normalized = normalize(text);
    const lang = detectLanguage(normalized);
    const scores = this.rawScores(normalized);
    const { raw, matching, probabilities } = scores;
    const order = [...raw.keys()].sort((a, b) => raw[b] - raw[a]).slice(0, CANDIDATE_COUNT * 2);
    const top = this.entries[order[0]];
    const twin = order.slice(1, 3).find((e) => this.isTwinOf(order[0], e, scores));
    // A prompt two products show is one piece of evidence the model splits between them: judge scope on their sum.
    const best =
      twin === undefined
        ? raw[order[0]]
        : TUNING.modelShare * (probabilities[order[0]] + probabilities[twin]) + (1 - TUNING.modelShare) * Math.max(matching[order[0]], matching[twin]);
    const confidence = 1 / (1 + Math.exp(-TUNING.calibrationSlope * (best - TUNING.calibrationCenter)));
    const exps = order.map((e) => Math.exp((raw[e] - raw[order[0]]) / TUNING.temperature));
    const total = exps.reduce((s, x) => s + x, 0);
    const candidates: Candidate[] = order.map((e, i) => ({
      id: this.entries[e].id,
      product: this.entries[e].product,
      score: round((exps[i] / total) * confidence),
    }));
    const result = (intent: string, score: number, first: Candidate[] = []): Classification => ({
      intent,
      score: round(score),
      candidates: [...first, ...candidates.filter((c) => !first.includes(c))].slice(0, CANDIDATE_COUNT),
      lang,
    });

    if (best < TUNING.noneThreshold || top.kind === 'none') return result('none', top.kind === 'none' ? candidates[0].score : 1 - confidence);

    // The product known from the conversation, or named in the message itself (备案, 大鱼号, domain …), settles a close call.
    const product = options.product ?? (mentionedProduct(text) as Product | undefined);
    if (product && top.product !== product && top.product !== 'general') {
      const preferred = order.find(
        (e) => this.entries[e].product === product && (top.sharedWith?.includes(this.entries[e].id) || raw[order[0]] - raw[e] < TUNING.productMargin),
      );
      if (preferred !== undefined) return result(this.entries[preferred].id, candidates[order.indexOf(preferred)].score, [candidates[order.indexOf(preferred)]]);
    }
    if (product) return result(top.id, candidates[0].score);

    // No product known: a prompt two products show, or two products' entries equally close, is asked about, not guessed.
    const crossProduct = (e: number) => this.entries[e].product !== top.product && this.entries[e].product !== 'general' && top.product !== 'general';
    const rival = twin ?? order.slice(1, 3).find((e) => crossProduct(e) && raw[order[0]] - raw[e] < TUNING.clarifyMargin);
    if (rival !== undefined) {
      const tied = [candidates[0], candidates[order.indexOf(rival)]];
      return result('clarify', confidence, tied);
    }
    return result(top.id, candidates[0].score);
  }

  /**
   * Whether entry e is declared to show the same prompt as entry t (sharedWith) and the message matches it nearly as well,
   * unless the message is one of t's own prompts that e does not show, pasted (nearly) whole.
   */
  private isTwinOf(t: number, e: number, { matching, coverage }: Scores): boolean {
    if (!this.entries[t].sharedWith?.includes(this.entries[e].id)) return false;
    const ownPromptPasted = coverage[t] >= TUNING.pastedPrompt && coverage[t] - coverage[e] > TUNING.clarifyMargin;
    return !ownPromptPasted && matching[e] >= TUNING.twinRatio * matching[t];
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
