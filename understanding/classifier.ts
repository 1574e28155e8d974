import type { Entry, Product } from '../kb/types';
import type { KnowledgeBase } from '../kb/knowledgeBase';
import { normalize } from './normalize';
import { detectLanguage, type Lang } from './language';
import { extractFeatures, promptUnits } from './features';
import { mentionedProduct } from './details';
import { specificPart } from './signals';
import { loadSegmenter } from './segmenter';
import { SoftmaxRegression } from './softmaxRegression';
import { phrasesOf, tfIdf, type ClassifierModel } from './classifierModel';

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
  /** The best entry of each product among the likeliest, best first: what to offer when the product is not known. */
  perProduct?: Candidate[];
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
  /** Prompt coverage from which a message is about that prompt: about a prompt two products show (sharedPrompts), it is asked about. */
  sharedPromptCoverage: 0.5,
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

interface Scores {
  /** What entries are ranked by: the model's probability blended with matching. */
  raw: Float64Array;
  /** The best of phrase similarity and prompt coverage. */
  matching: Float64Array;
  probabilities: Float64Array;
  /** How much of one of the entry's verbatim prompts the message contains (or is contained in). */
  coverage: Float64Array;
  /** Per entry, the prompt that coverage comes from (-1: none). */
  coveredBy: Int32Array;
  /** How much of one of the entry's prompts the message contains: 1 when a prompt is pasted whole. */
  whole: Float64Array;
}

const CANDIDATE_COUNT = 5;

/**
 * Written here because the job combines signals no maintained library offers together: a softmax regression trained on
 * the entries' phrasings (it learns which words tell entries apart, so paraphrases land), TF-IDF similarity to the
 * nearest example phrasing (words, character and pinyin bigrams), coverage of a verbatim system prompt pasted whole or
 * in part, and a cross-product clarification rule. What it learns is a ClassifierModel, built once and cached.
 */
export class Classifier {
  private readonly entries: Entry[];
  private readonly termIndex: Map<string, number>;
  private readonly model: SoftmaxRegression;
  // Per-message scratch, reused: classify() runs synchronously, and a fresh array per phrase each message is GC churn.
  private readonly phraseSim: Float64Array;
  private readonly promptMatched: Int32Array;
  private readonly promptWeight: Float64Array;
  /** Per verbatim prompt (the model's prompt order): the entries of another product that show it too. */
  private readonly sharedPromptTwins = new Map<number, Set<number>>();
  private queryFeatures = new Int32Array(64);
  private queryValues = new Float64Array(64);

  constructor(
    kb: KnowledgeBase,
    private readonly learned: ClassifierModel,
  ) {
    this.entries = kb.entries;
    if (learned.entryIds.length !== kb.entries.length || learned.entryIds.some((id, i) => kb.entries[i].id !== id)) {
      throw new Error('the classifier model was built from other entries');
    }
    loadSegmenter(learned.dictionary);
    this.termIndex = new Map(learned.terms.map((term, t) => [term, t]));
    this.model = new SoftmaxRegression(kb.entries.length, learned.featureCount, learned.weights, learned.bias);
    this.phraseSim = new Float64Array(learned.phraseEntry.length);
    this.promptMatched = new Int32Array(learned.promptEntry.length);
    this.promptWeight = new Float64Array(learned.promptEntry.length);
    this.indexSharedPrompts(kb);
  }

  /** Which prompts other products show too, by the entries' sharedPrompts, in the order the model numbered the prompts. */
  private indexSharedPrompts(kb: KnowledgeBase): void {
    const entryIndex = new Map(kb.entries.map((e, i) => [e.id, i]));
    let p = 0;
    kb.entries.forEach((entry) => {
      for (const text of [...(entry.prompts?.zh ?? []), ...(entry.prompts?.en ?? [])]) {
        if (!promptUnits(normalize(text)).size) continue;
        for (const [twin, prompts] of Object.entries(entry.sharedPrompts ?? {})) {
          const e = entryIndex.get(twin);
          if (e !== undefined && prompts.includes(text)) (this.sharedPromptTwins.get(p) ?? this.sharedPromptTwins.set(p, new Set()).get(p)!).add(e);
        }
        p++;
      }
    });
    if (p !== this.learned.promptEntry.length) throw new Error('the classifier model was built from other prompts');
  }

  private idfOf = (term: string): number => {
    const t = this.termIndex.get(term);
    return t === undefined ? this.learned.unseenIdf : this.learned.idf[t];
  };

  /** Raw score per entry, 0..1: the model's probability blended with the best of phrase similarity and prompt coverage. */
  private rawScores(normalized: string): Scores {
    const { featureCount, phraseEntry, phrasePostings, centroidPostings, promptPostings } = this.learned;
    const entryCount = this.entries.length;
    const query = tfIdf(extractFeatures(normalized), this.idfOf);
    if (this.queryFeatures.length < query.terms.length) {
      this.queryFeatures = new Int32Array(query.terms.length * 2);
      this.queryValues = new Float64Array(query.terms.length * 2);
    }
    const phraseSim = this.phraseSim.fill(0);
    const centroidSim = new Float64Array(entryCount);
    let known = 0;
    for (let i = 0; i < query.terms.length; i++) {
      const t = this.termIndex.get(query.terms[i]);
      if (t === undefined || t >= featureCount) continue;
      const qw = query.weights[i];
      this.queryFeatures[known] = t;
      this.queryValues[known++] = qw;
      for (let j = phrasePostings.offsets[t], end = phrasePostings.offsets[t + 1]; j < end; j++) phraseSim[phrasePostings.items[j]] += qw * phrasePostings.weights[j];
      for (let j = centroidPostings.offsets[t], end = centroidPostings.offsets[t + 1]; j < end; j++) centroidSim[centroidPostings.items[j]] += qw * centroidPostings.weights[j];
    }
    const bestPhrase = new Float64Array(entryCount);
    for (let p = 0; p < phraseSim.length; p++) {
      const e = phraseEntry[p];
      if (phraseSim[p] > bestPhrase[e]) bestPhrase[e] = phraseSim[p];
    }

    const coverage = new Float64Array(entryCount);
    const coveredBy = new Int32Array(entryCount).fill(-1);
    const wholeCoverage = new Float64Array(entryCount);
    const units = promptUnits(normalized);
    if (units.size) {
      const matched = this.promptMatched.fill(0);
      const weight = this.promptWeight.fill(0);
      let queryTotal = 0;
      for (const u of units) {
        const t = this.termIndex.get(u);
        if (t === undefined) {
          queryTotal += this.learned.unseenIdf;
          continue;
        }
        queryTotal += this.learned.idf[t];
        for (let j = promptPostings.offsets[t], end = promptPostings.offsets[t + 1]; j < end; j++) {
          matched[promptPostings.items[j]]++;
          weight[promptPostings.items[j]] += promptPostings.weights[j];
        }
      }
      const { promptEntry, promptSize, promptTotal } = this.learned;
      for (let p = 0; p < matched.length; p++) {
        if (!matched[p]) continue;
        // Whole prompt inside the message (pasted with words around it), or the message inside the prompt (a fragment).
        // Of two prompts matched, the one that explains more of the message wins: 注册联系人信息有误 alone is its own
        // entry; 注册联系人信息有误，请检测：Command syntax error is the longer prompt's.
        const whole = (weight[p] / promptTotal[p]) * Math.min(1, promptSize[p] / 3) * (0.85 + 0.15 * Math.min(1, weight[p] / queryTotal));
        const fragment = (weight[p] / queryTotal) * Math.min(1, matched[p] / 6) * (0.85 + 0.15 * (weight[p] / promptTotal[p]));
        const score = Math.max(whole, fragment);
        if (whole > wholeCoverage[promptEntry[p]]) wholeCoverage[promptEntry[p]] = whole;
        if (score > coverage[promptEntry[p]]) {
          coverage[promptEntry[p]] = score;
          coveredBy[promptEntry[p]] = p;
        }
      }
    }

    const probabilities = this.model.probabilitiesInto({ indices: this.queryFeatures, values: this.queryValues }, new Float64Array(entryCount), known);
    const raw = new Float64Array(entryCount);
    const matching = new Float64Array(entryCount);
    const share = TUNING.similarityShare;
    for (let e = 0; e < raw.length; e++) {
      const similarity = 0.75 * bestPhrase[e] + 0.25 * centroidSim[e];
      matching[e] = (1 - share) * Math.max(similarity, coverage[e]) + share * similarity;
      raw[e] = TUNING.modelShare * probabilities[e] + (1 - TUNING.modelShare) * matching[e];
    }
    return { raw, matching, probabilities, coverage, coveredBy, whole: wholeCoverage };
  }

  classify(text: string, options: ClassifyOptions = {}): Classification {
    const normalized = normalize(text);
    const lang = detectLanguage(normalized);
    // Of the whole message and its specific part, the reading that recognizes an entry better ("明明是我本人在弄" alone says less).
    const specific = specificPart(normalized);
    const whole = this.rawScores(normalized);
    const part = specific === undefined ? undefined : this.rawScores(specific);
    const scores = part && this.bestInScope(part) > this.bestInScope(whole) ? part : whole;
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
      candidates: [...first, ...candidates.filter((c) => !first.some((f) => f.id === c.id))].slice(0, CANDIDATE_COUNT),
      lang,
      perProduct: candidates.filter((c, i) => c.product !== 'general' && candidates.findIndex((o) => o.product === c.product) === i),
    });

    if (best < TUNING.noneThreshold || top.kind === 'none') return result('none', top.kind === 'none' ? candidates[0].score : 1 - confidence);

    // The product known from the conversation, or named in the message itself (备案, 大鱼号, domain …), settles a close call.
    const product = options.product ?? (mentionedProduct(text) as Product | undefined);
    if (product && top.product !== product && top.product !== 'general') {
      const preferred = order.find(
        (e) => this.entries[e].product === product && (top.sharedWith?.includes(this.entries[e].id) || raw[order[0]] - raw[e] < TUNING.productMargin),
      );
      if (preferred !== undefined) {
        // The same prompt shown by two products is one piece of evidence: with the product known it is all the twin's.
        const own = candidates[order.indexOf(preferred)];
        const chosen = top.sharedWith?.includes(own.id) ? { ...own, score: round(own.score + candidates[0].score) } : own;
        return result(chosen.id, chosen.score, [chosen]);
      }
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

  /** The best raw score of an entry the bot answers or talks about (not the out-of-scope class). */
  private bestInScope({ raw }: Scores): number {
    let best = 0;
    for (let e = 0; e < raw.length; e++) if (this.entries[e].kind !== 'none' && raw[e] > best) best = raw[e];
    return best;
  }

  /**
   * Whether entry e is declared to show the same prompt as entry t (sharedWith) and the message is about a prompt both
   * show (sharedPrompts), or matches e nearly as well, unless it is one of t's own prompts that e does not show, pasted
   * (nearly) whole.
   */
  private isTwinOf(t: number, e: number, { matching, coverage, coveredBy, whole }: Scores): boolean {
    if (!this.entries[t].sharedWith?.includes(this.entries[e].id)) return false;
    // About a prompt both products show ("人臉與公安庫不一致，試了好幾次"), but not one product's wording pasted whole.
    const sharedPrompt = coverage[t] >= TUNING.sharedPromptCoverage && !!this.sharedPromptTwins.get(coveredBy[t])?.has(e);
    if (sharedPrompt && !(whole[t] >= TUNING.pastedPrompt && whole[t] - whole[e] > TUNING.clarifyMargin)) return true;
    const ownPromptPasted = coverage[t] >= TUNING.pastedPrompt && coverage[t] - coverage[e] > TUNING.clarifyMargin;
    return !ownPromptPasted && matching[e] >= TUNING.twinRatio * matching[t];
  }

  /** Every phrase the classifier learns from, for export. */
  *trainingPhrases(): Generator<{ id: string; lang: Lang; text: string }> {
    for (const entry of this.entries) for (const phrase of phrasesOf(entry)) yield { id: entry.id, ...phrase };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
