import type { Product } from '../kb/types';
import { analyzeCertNumber } from '../answers/certNumber';
import type { Classification, Classifier } from './classifier';
import { contentWords } from './contentWords';
import { commandOfNormalized, type Command } from './commands';
import {
  findCertNumber,
  findChoiceSpans,
  findDateSaid,
  findHolderName,
  recognizeSlotAnswer,
  saysAnyNormalized,
  type ChoiceSpan,
} from './details';
import { detectLanguage, type Lang } from './language';
import { MAX_TEXT_LENGTH, normalize } from './normalize';
import { isOneOf, namesNoFailure, negatedAt, onlyDetails, questionKind, saysOnly, signalLexicon, startsWithAny, type QuestionKind } from './signals';
import { slotCatalog } from './slots';

export type Certainty = 'sure' | 'hedged';

/** A detail the message gives. A certificate number is only ever here as its masked analysis. */
export interface DetailReading {
  slot: string;
  value: unknown;
  /** [start, end) in the normalized text, for choices. */
  span?: [number, number];
  certainty: Certainty;
}

export interface Signals {
  /** Reads as following up on what was said before ("那如果是企业呢", "and on the international site?"). */
  followUp: boolean;
  question?: QuestionKind;
  /** Some detail is said with a hedge ("I think", "好像"). */
  hedge: boolean;
  correction: boolean;
  /** The steps given were tried and did not help ("还是不行", "already on the latest version"). */
  stillFails: boolean;
  dontKnow: boolean;
  saysFailure: boolean;
  /** Says the system showed a message ("提示", "it says"). */
  reportsMessage: boolean;
  affirm: boolean;
  deny: boolean;
  /** Says something failed but names no failure: only a product or a step beside it ("认证失败", "upload failed"). */
  vague: boolean;
}

/** One message read once: everything the policy decides on. Never stored; raw text stays out of it except as normalized here. */
export interface Reading {
  normalized: string;
  /** Longer than the limit (knowledge/limits.yaml): the bot says so rather than answer a part of it. */
  tooLong: boolean;
  /** The language the text is written in, when it tells. */
  lang?: Lang;
  command?: Command;
  /** A bare number 1–9 (picks one of the entries offered). */
  pick?: number;
  details: DetailReading[];
  /** The message is its choice details alone ("中国内地", "个人", "the international site"): an answer, never a new failure. */
  onlyDetails: boolean;
  /** Slots the message spoke of, including values not usable as details ("12月1号提交可以吗" speaks of a date). */
  mentioned: string[];
  /** The answer to the open question, if it reads as one (see recognizeSlotAnswer); 'unknown' for "don't know". */
  answer?: DetailReading | 'unknown';
  /** Slots asked about in general ("哪些省份要求…"): the general answer, rather than a question for the detail. */
  askedAbout: string[];
  product?: Product;
  signals: Signals;
  /** Classification candidates, computed on first use. */
  readonly classification: Classification;
  /** The words the message says beyond signals, filler and stop words, computed on first use. */
  readonly contentWords: string[];
}

export interface ReadingContext {
  /** The conversation's language (details and dates are read in it first). */
  lang: Lang;
  today: string;
  /** The detail the open question asks for. */
  openSlot?: string;
  /** The product the conversation already knows: settles a cross-product tie. */
  product?: Product;
  /** The certificate type known, to check a certificate number against. */
  certType?: string;
}

// Clauses: a hedge in one ("not sure which site") says nothing about a detail in another ("the English one I think").
const CLAUSE_BREAK = /[，,。.;；!！?？\n]|\bbut\b|但是|不过/g;

/** Reads a message once: normalized text, language, command, details with certainty, signals, and (lazily) the classification. */
export function readMessage(text: string, context: ReadingContext, classifier: Classifier): Reading {
  const normalized = normalize(text);
  const lexicon = signalLexicon();
  const catalog = slotCatalog();
  const options = { lang: context.lang, today: context.today };
  const clauses = clausesOf(normalized);
  // "china site? not sure", "是中国站，我也不太确定": a clause that is nothing but a hedge hedges what the message says.
  const bareHedge = clauses.some((c) => isBareHedge(c.text, lexicon, catalog.unknown));
  const hedgedAt = (start: number) => bareHedge || saysAnyNormalized(clauses.find((c) => start >= c.start && start < c.end)?.text ?? '', lexicon.hedge);

  const details: DetailReading[] = [];
  const mentioned = new Set<string>();
  const choices = new Map<string, ChoiceSpan>();
  const affirmed = new Map<string, Set<string>>();
  for (const span of findChoiceSpans(normalized, { answer: false })) {
    // "是香港，不是澳门": the detail rejected gives way to the one said; alone it still names the detail talked about.
    const negated = negatedAt(normalized, span.start);
    if (!negated) (affirmed.get(span.slot) ?? affirmed.set(span.slot, new Set()).get(span.slot)!).add(span.value);
    if (negated && choices.has(span.slot)) continue;
    if (!negated || !choices.has(span.slot)) choices.set(span.slot, span);
  }
  // "不知道是中国站还是国际站": two values of one detail, neither rejected, say which it is not (unless correcting).
  const correcting = saysAnyNormalized(normalized, lexicon.correction);
  for (const [slot, values] of affirmed) if (values.size > 1 && !correcting) choices.delete(slot);
  for (const span of choices.values()) {
    details.push({ slot: span.slot, value: span.value, span: [span.start, span.end], certainty: hedgedAt(span.start) ? 'hedged' : 'sure' });
  }
  // "issued Dec 2, no wait, it was Nov 29": a date taken back by a correction said after it gives way to the next one.
  const dated = findDateSaid(text, options, (said, at) => at >= 0 && (negatedAt(said, at) || correctedAfter(said, at, lexicon.correction)));
  const date = dated?.day;
  const cert = findCertNumber(text);
  if (cert) details.push({ slot: 'certNumber', value: analyzeCertNumber(cert, (choices.get('certType')?.value ?? context.certType) as string | undefined), certainty: 'sure' });
  const name = findHolderName(text);
  if (name) details.push({ slot: 'holderName', value: name, certainty: 'sure' });
  for (const d of details) mentioned.add(d.slot);
  if (date) {
    mentioned.add('issueDate');
    // "那12月1号提交可以吗" names the resubmit day, not the issue date; a future day is no issue date either.
    const notWith = catalog.slots.issueDate?.notWith;
    if (!(notWith && saysAnyNormalized(normalized, notWith)) && date <= context.today) {
      // "好像是上个月15号": a date is as hedged as the clause it was said in.
      const at = normalized.indexOf(dated!.said);
      const hedged = at >= 0 ? hedgedAt(at) : saysAnyNormalized(normalized, lexicon.hedge);
      details.push({ slot: 'issueDate', value: date, certainty: hedged ? 'hedged' : 'sure' });
    }
  }

  const answer = context.openSlot ? answerTo(context.openSlot, text, normalized, context, details, hedgedAt) : undefined;
  // "china site probably, aliyun.com?": a value hedged where it is said once is hedged wherever it is said again.
  if (typeof answer === 'object' && answer.certainty === 'hedged') {
    for (const d of details) if (d.slot === answer.slot && JSON.stringify(d.value) === JSON.stringify(answer.value)) d.certainty = 'hedged';
  }
  const picked = /^\s*([1-9])\s*$/.exec(normalized);
  const dontKnow = saysAnyNormalized(normalized, catalog.unknown);
  const reading: Omit<Reading, 'classification' | 'contentWords'> = {
    normalized,
    tooLong: text.trim().length > MAX_TEXT_LENGTH,
    lang: detectLanguage(normalized),
    command: commandOfNormalized(normalized),
    pick: picked ? Number(picked[1]) : undefined,
    details,
    mentioned: [...mentioned],
    onlyDetails: !saysAnyNormalized(normalized, catalog.failure) && onlyDetails(normalized, [...choices.values()]),
    answer,
    askedAbout: Object.entries(catalog.slots).filter(([, d]) => d.askedAbout && saysAnyNormalized(normalized, d.askedAbout)).map(([slot]) => slot),
    product: choices.get('product')?.value as Product | undefined,
    signals: {
      followUp: startsWithAny(normalized, lexicon.followUp),
      question: questionKind(normalized),
      hedge: details.some((d) => d.certainty === 'hedged'),
      correction: saysAnyNormalized(normalized, lexicon.correction),
      stillFails: saysAnyNormalized(normalized, lexicon.stillFails),
      dontKnow,
      saysFailure: saysAnyNormalized(normalized, catalog.failure),
      reportsMessage: !!catalog.reported && saysAnyNormalized(normalized, catalog.reported),
      // "对，就是那天", "yes, that's right": each clause a yes.
      affirm: isOneOf(normalized, lexicon.affirm) || (clauses.length > 1 && clauses.every((c) => !c.text.trim() || isOneOf(c.text, lexicon.affirm))),
      deny: isOneOf(normalized, lexicon.deny),
      vague: namesNoFailure(normalized, [...choices.values()], catalog.failure),
    },
  };
  let classification: Classification | undefined;
  let words: string[] | undefined;
  return Object.defineProperties(reading, {
    classification: { get: () => (classification ??= classifier.classify(text, { product: context.product })), enumerable: false },
    contentWords: { get: () => (words ??= contentWords(normalized)), enumerable: false },
  }) as Reading;
}

/** The answer to the open question: the detail read for that slot (a choice by its number too), with its certainty. */
function answerTo(
  slot: string,
  text: string,
  normalized: string,
  context: ReadingContext,
  details: DetailReading[],
  hedgedAt: (start: number) => boolean,
): DetailReading | 'unknown' | undefined {
  const value = recognizeSlotAnswer(slot, text, { lang: context.lang, today: context.today });
  if (value === undefined) return undefined;
  // "不知道是中国站还是国际站" names both: that is "don't know".
  const choiceSpans = slotCatalog().slots[slot]?.type === 'choice' ? findChoiceSpans(normalized, { slots: [slot], answer: true }) : [];
  const values = new Set(choiceSpans.map((x) => x.value));
  if (values.size > 1 && saysAnyNormalized(normalized, slotCatalog().unknown)) return 'unknown';
  if (typeof value === 'object') {
    // "the china one, I'm not certain though": a value said beside "not certain" is a hedged answer, not "don't know".
    const said = values.size === 1 ? choiceSpans[0] : undefined;
    return said ? { slot, value: said.value, span: [said.start, said.end], certainty: 'hedged' } : 'unknown';
  }
  if (slot === 'certNumber') return details.find((d) => d.slot === 'certNumber');
  // The date read with negations and corrections weighed ("Dec 2, no wait, Nov 29") is the answer, not the first one seen.
  const dated = slotCatalog().slots[slot]?.type === 'date' ? details.find((d) => d.slot === slot) : undefined;
  if (dated) return dated;
  // A free-text answer (a name) never carries a certificate number typed with it.
  if (slotCatalog().slots[slot]?.type === 'text') {
    const cert = findCertNumber(value);
    return { slot, value: cert ? value.replace(cert, '*'.repeat(cert.length)) : value, certainty: 'sure' };
  }
  // One-character answers (粤) and ordinals are only read as answers: find where it was said to judge its certainty.
  const span = findChoiceSpans(normalized, { slots: [slot], answer: true }).find((s) => s.value === value);
  const hedged = span ? hedgedAt(span.start) : saysAnyNormalized(normalized, signalLexicon().hedge);
  return { slot, value, span: span && [span.start, span.end], certainty: hedged ? 'hedged' : 'sure' };
}

/** Whether a clause says only that the user is unsure ("not sure", "我也不太确定", "I'm not certain though"). */
function isBareHedge(clause: string, lexicon: ReturnType<typeof signalLexicon>, unknown: { zh: string[]; en: string[] }): boolean {
  return (saysAnyNormalized(clause, lexicon.hedge) || saysAnyNormalized(clause, unknown)) && saysOnly(clause, [lexicon.hedge, unknown, lexicon.filler]);
}

/** Whether a correction word follows position `at` and another number is said after it. */
function correctedAfter(text: string, at: number, correction: { zh: string[]; en: string[] }): boolean {
  const rest = text.slice(at + 1).toLowerCase();
  return [...correction.zh, ...correction.en].some((w) => {
    const i = rest.indexOf(w);
    return i >= 0 && /\d|[一二三四五六七八九十]+\s*[月日号天]|yesterday|today|昨天|今天|前天/.test(rest.slice(i + w.length));
  });
}

function clausesOf(normalized: string): { start: number; end: number; text: string }[] {
  const clauses: { start: number; end: number; text: string }[] = [];
  let start = 0;
  for (const m of normalized.matchAll(CLAUSE_BREAK)) {
    clauses.push({ start, end: m.index!, text: normalized.slice(start, m.index!) });
    start = m.index! + m[0].length;
  }
  clauses.push({ start, end: normalized.length, text: normalized.slice(start) });
  return clauses;
}
