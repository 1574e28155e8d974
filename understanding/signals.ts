import { validatedKnowledgeFile } from '../kb/validatedCache';
import { stripPunctuation } from './normalize';
import { findChoiceSpans, saysAnyNormalized } from './details';
import { slotCatalog } from './slots';

export interface Words {
  zh: string[];
  en: string[];
}

export type QuestionKind = 'cause' | 'why' | 'meaning' | 'where' | 'how' | 'what';

/** knowledge/lexicon/signals.yaml: phrasings that tell how a message reads. */
export interface SignalLexicon {
  followUp: Words;
  questions: Record<QuestionKind, Words>;
  hedge: Words;
  correction: Words;
  stillFails: Words;
  negation: Words;
  affirm: Words;
  deny: Words;
  filler: Words;
  /** The verification, a step or the setting named in general ("认证", "上传", "face recognition"): no failure of it. */
  unspecific: Words;
}

let lexicon: SignalLexicon | undefined;

/** The signal phrasings, validated against their schema once. */
export function signalLexicon(): SignalLexicon {
  lexicon ??= validatedKnowledgeFile<SignalLexicon>('signals', 'lexicon/signals.yaml', 'signals.schema.json');
  return lexicon;
}

// The first kind that matches names the question: "为什么要省份" is a why, though it also says 什么; "could that be why" asks
// about a cause.
const QUESTION_KINDS: QuestionKind[] = ['cause', 'why', 'meaning', 'where', 'how', 'what'];
/** Particles and fillers around a yes or no ("对的呀", "yes please"): they don't change it. */
/** An interjection before a yes or no ("嗯对", "哦是的") doesn't change it either. */
const INTERJECTIONS = /^(?:[嗯哦噢啊呃额]+\s*)(?=\S)/;
const PARTICLES = /(?:^|\s)(?:please|thanks|thank you)(?:\s|$)|[呀啊吧呢哦噢嘛啦了的呗]+$/g;

/** Whether a normalized text starts with one of the words (English words whole). */
export function startsWithAny(normalized: string, words: Words): boolean {
  const t = stripPunctuation(normalized);
  return words.zh.some((w) => t.startsWith(w)) || words.en.some((w) => t === w || t.startsWith(`${w} `));
}

/** Whether a normalized text is one of the words, give or take punctuation and a particle. */
export function isOneOf(normalized: string, words: Words): boolean {
  const t = stripPunctuation(normalized).replace(PARTICLES, '').replace(INTERJECTIONS, '').trim();
  return !!t && (words.zh.includes(t) || words.en.includes(t));
}

/**
 * Whether a normalized text is its choice details alone ("我是香港的", "international site"), with no more than filler
 * words and a character or two beside them.
 */
export function onlyDetails(normalized: string, spans: { start: number; end: number }[]): boolean {
  if (!spans.length) return false;
  const { filler } = signalLexicon();
  return withoutWords(outsideSpans(normalized, spans), filler.en, filler.zh).replace(/\s+/g, '').length <= 2;
}

/**
 * Whether a message says that something failed and names no failure in particular: once its choice details (a product),
 * the failure words, the general words of the verification and its steps, and filler are taken out, nothing is left
 * ("认证失败", "人脸识别没通过", "ICP filing upload failed in the Alibaba Cloud app").
 */
export function namesNoFailure(normalized: string, spans: { start: number; end: number }[], failure: Words): boolean {
  if (!saysAnyNormalized(normalized, failure)) return false;
  const { unspecific, filler } = signalLexicon();
  return saysOnly(outsideSpans(normalized, spans), [failure, unspecific, filler]);
}

/** Whether a text says nothing but words of the lists, give or take punctuation and one character. */
export function saysOnly(text: string, lists: { zh: string[]; en: string[] }[]): boolean {
  const rest = withoutWords(text, lists.flatMap((l) => l.en), lists.flatMap((l) => l.zh));
  return rest.replace(/[\s\p{P}]+/gu, '').length <= 1;
}

/** The text outside the spans, each piece padded with spaces so that words at its edges stay whole. */
function outsideSpans(normalized: string, spans: { start: number; end: number }[]): string {
  let rest = '';
  let from = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    rest += ` ${normalized.slice(from, Math.max(from, s.start))} `;
    from = Math.max(from, s.end);
  }
  return `${rest} ${normalized.slice(from)} `;
}

/** The text without its punctuation and without the words given, longest first: English as whole words, Chinese anywhere. */
function withoutWords(text: string, en: string[], zh: string[]): string {
  const apostrophes = /['’]/g;
  const longestFirst = (a: string, b: string) => b.length - a.length;
  let words = ` ${stripPunctuation(text.replace(apostrophes, ''))} `;
  for (const w of en.map((x) => x.replace(apostrophes, '')).sort(longestFirst)) words = words.split(` ${w} `).join('  ');
  for (const w of [...zh].sort(longestFirst)) words = words.split(w).join(' ');
  return words;
}

// Clauses as the reading splits them (understanding/reading.ts): a failure said in general is one clause of its own.
const CLAUSE_BREAK = /[，,。.;；:：!！?？\n]|\bbut\b|但是|不过/;

/**
 * The clauses of a message that say more than that something failed, when some of it only says that ("域名实名认证失败，
 * 提示证件号码格式错误", "domain verification upload failed, says the image size is not supported"): the failure words
 * say nothing of which entry it is, and beside a paraphrased prompt they pull it towards the entries that say "failed".
 * Undefined when no clause, or every clause, is such a statement.
 */
export function specificPart(normalized: string): string | undefined {
  const clauses = normalized.split(CLAUSE_BREAK).filter((c) => c.trim());
  if (clauses.length < 2) return undefined;
  const failure = slotCatalog().failure;
  const specific = clauses.filter((c) => !namesNoFailure(c, findChoiceSpans(c, { slots: ['product'], answer: false }), failure));
  return specific.length && specific.length < clauses.length ? specific.join('，') : undefined;
}

/** Whether the text just before a position ends with a negation ("不是澳门", "not Macao"). */
export function negatedAt(normalized: string, start: number): boolean {
  const before = normalized.slice(Math.max(0, start - 14), start).replace(/[\s,，]+$/, '');
  const { negation } = signalLexicon();
  return negation.zh.some((w) => before.endsWith(w)) || negation.en.some((w) => before === w || before.endsWith(` ${w}`));
}

/** The kind of question a normalized text asks, if it asks one. */
export function questionKind(normalized: string): QuestionKind | undefined {
  const { questions } = signalLexicon();
  return QUESTION_KINDS.find((kind) => saysAnyNormalized(normalized, questions[kind]));
}
