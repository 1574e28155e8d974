import * as fs from 'fs';
import YAML from 'yaml';
import { DateTimeRecognizer, type recognizeDateTime } from '@microsoft/recognizers-text-date-time';
import { normalize } from './normalize';
import { cultureOf, type Lang } from './language';
import { slotCatalog, slotDeclaration } from './slots';
import { fromRoot } from '../config/paths';
import { dateWindows } from './dateWindows';
import { fullDate } from './fullDates';

/** Details a message can carry, by slot name. certNumber is the raw candidate: callers analyse it and drop it at once. */
export interface Details {
  product?: string;
  site?: string;
  region?: string;
  holderType?: string;
  certType?: string;
  province?: string;
  occupation?: string;
  issueDate?: string;
  certNumber?: string;
  holderName?: string;
}

export interface DetailOptions {
  lang: Lang;
  /** yyyy-mm-dd in Asia/Shanghai: the reference for relative dates. */
  today: string;
}

export interface Unknown {
  unknown: true;
}

interface Phrase {
  slot: string;
  value: string;
  text: string;
  latin: boolean;
}

const PUNCTUATION = /[\p{P}\p{S}]/gu;

/** Lower case, simplified, punctuation as spaces, keeping every position (so spans in masked text stay aligned). */
function comparable(text: string): string {
  return normalize(text).replace(PUNCTUATION, ' ');
}

function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

let phrases: Phrase[] | undefined;
let ignored: string[] | undefined;

function ignoredPhrases(): string[] {
  return (ignored ??= slotCatalog().ignore.map((p) => normalize(p)));
}

/** Every way of saying every choice (labels and synonyms), longest first. */
function choicePhrases(): Phrase[] {
  if (!phrases) {
    const list: Phrase[] = [];
    for (const [slot, declaration] of Object.entries(slotCatalog().slots)) {
      for (const choice of declaration.choices ?? []) {
        const said = [choice.zh, choice.en, ...(choice.synonyms?.zh ?? []), ...(choice.synonyms?.en ?? [])];
        for (const phrase of new Set(said.map((s) => squeeze(comparable(s))))) {
          if (phrase) list.push({ slot, value: choice.value, text: phrase, latin: !/\p{Script=Han}/u.test(phrase) });
        }
      }
    }
    phrases = list.sort((a, b) => b.text.length - a.text.length);
  }
  return phrases;
}

function isWordChar(char: string | undefined): boolean {
  return !!char && /[a-z0-9]/.test(char);
}

/** A choice said in a text, with its span [start, end) in the normalized text. */
export interface ChoiceSpan {
  slot: string;
  value: string;
  start: number;
  end: number;
}

/**
 * The normalized text as phrases are compared in: ignored system wording and punctuation blanked, runs of spaces made
 * one, padded with a space at each end; `origin` maps each position back to the normalized text.
 */
function maskedForChoices(normalized: string): { masked: string; origin: number[] } {
  let blanked = normalized;
  for (const phrase of ignoredPhrases()) blanked = blanked.split(phrase).join(' '.repeat(phrase.length));
  blanked = blanked.replace(PUNCTUATION, (p) => ' '.repeat(p.length));
  let masked = ' ';
  const origin = [-1];
  for (let i = 0; i < blanked.length; i++) {
    if (blanked[i] === ' ' && masked.endsWith(' ')) continue;
    masked += blanked[i];
    origin.push(i);
  }
  if (!masked.endsWith(' ')) {
    masked += ' ';
    origin.push(blanked.length);
  }
  return { masked, origin };
}

/**
 * Whether [at, end) overlaps a span already taken. The very same words may name two details (广东: the province, and
 * the mainland region); overlapping ones may not. A function of its own, not a closure in findChoiceSpans' loop: a
 * closure there made every one of the ~650 phrase iterations allocate its own context (~50 KB per message).
 */
function overlapsTaken(taken: [number, number, string][], at: number, end: number, slot: string): boolean {
  for (const [s, e, takenSlot] of taken) if (at < e && end > s && !(s === at && e === end && takenSlot !== slot)) return true;
  return false;
}

/**
 * Choice values said in a normalized text, found by phrase with the longest phrases taken first and no overlaps, so
 * 港澳居民来往内地通行证 is a certificate type and not also the region 内地. In free text, one-character synonyms
 * (粤, 京) are left out: they are only read as answers to a question.
 */
export function findChoiceSpans(normalized: string, options: { slots?: string[]; answer: boolean }): ChoiceSpan[] {
  const { masked, origin } = maskedForChoices(normalized);
  const taken: [number, number, string][] = [];
  const found: ChoiceSpan[] = [];
  for (const phrase of choicePhrases()) {
    if (options.slots && !options.slots.includes(phrase.slot)) continue;
    if (!options.answer && !phrase.latin && phrase.text.length < 2) continue;
    for (let at = masked.indexOf(phrase.text); at >= 0; at = masked.indexOf(phrase.text, at + 1)) {
      const end = at + phrase.text.length;
      if (phrase.latin && (isWordChar(masked[at - 1]) || isWordChar(masked[end]))) continue;
      if (overlapsTaken(taken, at, end, phrase.slot)) continue;
      taken.push([at, end, phrase.slot]);
      found.push({ slot: phrase.slot, value: phrase.value, start: origin[at], end: origin[end - 1] + 1 });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

function findChoices(text: string, options: { slots?: string[]; answer: boolean }): Map<string, string> {
  const result = new Map<string, string>();
  for (const f of findChoiceSpans(normalize(text), options)) result.set(f.slot, f.value);
  return result;
}

const COPY_SUFFIX = /^\s*[(（]\s*\d+\s*[-－]\s*\d+\s*[)）]/;
const CERT_CANDIDATE = /[0-9A-Za-z０-９Ａ-Ｚａ-ｚ](?:[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]|[ \-－](?=[0-9A-Za-z０-９Ａ-Ｚａ-ｚ])){13,34}/g;

/** A certificate-number-like token: 14 to 22 letters and digits (spaces or hyphens inside allowed), mostly digits. */
export function findCertNumber(text: string): string | undefined {
  for (const match of text.match(CERT_CANDIDATE) ?? []) {
    // Separators may split a number (4401 0619 ...) but also join it to the words around it ("typed 9133...IW"):
    // words with no digit at either end are not part of it.
    const parts = match.split(/(?<=[\s\-－])/);
    while (parts.length > 1 && !/[0-9０-９]/.test(parts[0])) parts.shift();
    while (parts.length > 1 && !/[0-9０-９]/.test(parts[parts.length - 1])) parts.pop();
    const candidate = parts.join('').trim();
    const compact = candidate.normalize('NFKC').replace(/[\s-]/g, '');
    const digits = compact.replace(/\D/g, '').length;
    if (compact.length >= 14 && compact.length <= 22 && digits >= 8) {
      // A license's copy number typed after it, 91440300708461136T(1-1), is part of what the user entered: keep it to flag it.
      const copy = COPY_SUFFIX.exec(text.slice(text.indexOf(candidate) + candidate.length));
      return copy ? `${candidate}${copy[0]}` : candidate;
    }
  }
  return undefined;
}

const DATE_CUE = /\d|[一二三四五六七八九十两几]+(天|日|周|个?星期|个?月|年)前|前天|昨天|今天|大前天|上周|上个?星期|上个?礼拜|上个?月|去年|号|月|yesterday|today|ago|last|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/i;

/** Noon of `today` (yyyy-mm-dd) in local time: the reference the date recognizer resolves relative dates against. */
function referenceDate(today: string): Date {
  const [y, m, d] = today.split('-').map(Number);
  return new Date(y, m - 1, d, 12);
}

const DATE_REWRITES: { pattern: RegExp; replace: string }[] = (
  YAML.parse(fs.readFileSync(fromRoot('knowledge', 'lexicon', 'date-rewrites.yaml'), 'utf8')) as { pattern: string; replace: string }[]
).map(({ pattern, replace }) => ({ pattern: new RegExp(pattern, 'g'), replace }));

/** A text as the date-time recognizer reads it best: normalized (上週五 → 上周五) and with the forms it misses rewritten. */
export function datePhrase(text: string): string {
  return DATE_REWRITES.reduce((t, { pattern, replace }) => t.replace(pattern, replace), normalize(text));
}

type DateResults = ReturnType<typeof recognizeDateTime>;
const RECOGNIZED_DATES_KEPT = 256;
const recognizedDates = new Map<string, DateResults>();

/**
 * The date-time recognizer's reading of a phrase against `today`: only of its short date-like windows
 * (understanding/dateWindows.ts), so the cost is flat in the phrase's length. Each window's reading is remembered for
 * the last few hundred windows: one message is read for a date by the question and the detail extractor alike.
 */
export function recognizeDates(phrase: string, culture: string, today: string): DateResults {
  return dateWindows(phrase).flatMap(({ text }) => recognizeWindow(text, culture, today));
}

// recognizeDateTime() builds a recognizer (every culture's configuration) per call; one model per culture, kept, reads
// the same (~15% less per call).
const dateModels = new Map<string, ReturnType<DateTimeRecognizer['getDateTimeModel']>>();

function dateModel(culture: string): ReturnType<DateTimeRecognizer['getDateTimeModel']> {
  let model = dateModels.get(culture);
  if (!model) dateModels.set(culture, (model = new DateTimeRecognizer(culture).getDateTimeModel(culture, true)));
  return model;
}

function recognizeWindow(text: string, culture: string, today: string): DateResults {
  const full = fullDate(text, culture);
  if (full) return full;
  const key = `${culture}|${today}|${text}`;
  let results = recognizedDates.get(key);
  if (!results) {
    results = dateModel(culture).parse(text, referenceDate(today));
    if (recognizedDates.size >= RECOGNIZED_DATES_KEPT) recognizedDates.delete(recognizedDates.keys().next().value!);
    recognizedDates.set(key, results);
  }
  return results;
}

/**
 * The day a date resolution names. A range counts only between two written days (a validity period copied from the
 * card, 2026.11.15-2046.11.15, starts on the issue date); "2026年11月" or "上个月底" name no day, and reading them as
 * the 1st would give a wrong resubmit date.
 */
export function dayOf(resolution: { type?: string; timex?: string; value?: string; start?: string }): string | undefined {
  const day = resolution.type === 'date' || resolution.type === 'datetime' ? resolution.value : /^\(\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2},/.test(resolution.timex ?? '') ? resolution.start : undefined;
  return day && /^\d{4}-\d{2}-\d{2}/.test(day) ? day.slice(0, 10) : undefined;
}

/** The most recent date the text names (yyyy-mm-dd); a date only in the future is returned as is, for the caller to refuse. */
export function findDate(text: string, options: DetailOptions): string | undefined {
  return findDateSaid(text, options)?.day;
}

/** findDate, with the words the date was said in (normalized), to judge a hedge in their clause. */
export function findDateSaid(
  text: string,
  options: DetailOptions,
  rejected?: (normalized: string, at: number) => boolean,
): { day: string; said: string } | undefined {
  const cert = findCertNumber(text);
  const cleaned = datePhrase(cert ? text.replace(cert, ' ') : text);
  if (!DATE_CUE.test(cleaned)) return undefined;
  const found: { day: string; said: string; present: boolean; failureClause: boolean }[] = [];
  const present = slotCatalog().slots.issueDate?.present;
  for (const lang of [options.lang, options.lang === 'zh' ? 'en' : 'zh'] as const) {
    for (const result of recognizeDates(cleaned, cultureOf(lang), options.today)) {
      const said = normalize(result.text ?? '');
      // "不是前天，是11月14号": the date said to be wrong is not the date.
      if (rejected && rejected(cleaned, cleaned.indexOf(result.text ?? ''))) continue;
      const isPresent = !!present && isOneOfWords(said, present);
      const failureClause = isPresent && saysAnyNormalized(clauseAround(cleaned, result.text ?? ''), slotCatalog().failure);
      for (const resolution of (result.resolution?.values ?? []) as Parameters<typeof dayOf>[0][]) {
        const day = dayOf(resolution);
        if (day) found.push({ day, said, present: isPresent, failureClause });
      }
    }
    if (found.length) break;
  }
  // "新证是11月29日拿到的，今天看到审核失败": the moment of writing dates the failure when another date is said, or when
  // its clause says what failed; alone ("今天刚拿到") it is the date.
  const other = found.some((f) => !f.present);
  const dates = found.filter((f) => !f.present || (!other && !f.failureClause)).sort((a, b) => a.day.localeCompare(b.day));
  const past = dates.filter((d) => d.day <= options.today);
  const chosen = past.length ? past[past.length - 1] : dates[0];
  return chosen && { day: chosen.day, said: chosen.said };
}

const CLAUSE_BREAK = /[，,。.;；!！?？\n]|\band\b|\bbut\b/;

/** The clause of a text that holds a phrase (the whole text when the phrase is not found). */
function clauseAround(text: string, phrase: string): string {
  const at = text.indexOf(phrase);
  if (at < 0) return text;
  const before = text.slice(0, at).split(CLAUSE_BREAK).pop() ?? '';
  const after = text.slice(at).split(CLAUSE_BREAK)[0] ?? '';
  return `${before}${after}`;
}

/** Whether a normalized phrase is one of the words. */
function isOneOfWords(said: string, words: { zh: string[]; en: string[] }): boolean {
  const t = said.trim();
  return words.zh.includes(t) || words.en.includes(t);
}

const NAME_MARK = /[·•‧・]/;
const NAME_PREFIX = /^.*(?:名字是|名字叫|姓名是|姓名为|名称是|名称为|我叫|叫做|持有者是|是|叫|为|:|：)/;
const NAME_STOP = /(?:提示|的|在|认证|实名|审核|说|时|，|,|。|\s).*$/;

/** A holder name with the marks that matter for the name fields (· or 《》), as the user typed it. */
export function findHolderName(text: string): string | undefined {
  const book = /([\p{Script=Han}A-Za-z0-9]{0,12})《([^》]{1,30})》([\p{Script=Han}A-Za-z0-9（）()]{0,20})/u.exec(text);
  if (book) {
    const before = book[1].replace(NAME_PREFIX, '');
    const after = book[3].replace(NAME_STOP, '');
    return `${before}《${book[2]}》${after}`;
  }
  const dot = new RegExp(`([\\p{Script=Han}]{1,12}|[A-Za-z]+)((?:${NAME_MARK.source}(?:[\\p{Script=Han}]{1,12}|[A-Za-z]+))+)`, 'u').exec(text);
  if (!dot) return undefined;
  const first = dot[1].replace(NAME_PREFIX, '');
  const rest = dot[2].replace(NAME_STOP, '');
  return first && rest.length > 1 ? `${first}${rest}` : undefined;
}

/** The product a message names (备案, 大鱼号, domain …), if any. */
export function mentionedProduct(text: string): string | undefined {
  return findChoices(text, { slots: ['product'], answer: false }).get('product');
}

/** Every detail a message says in passing ("我是香港的个人用户", "前天刚换的新身份证", "we're a Taiwan company on the China site"). */
export function extractDetails(text: string, options: DetailOptions): Details {
  const details: Details = {};
  for (const [slot, value] of findChoices(text, { answer: false })) (details as Record<string, string>)[slot] = value;
  const date = findDate(text, options);
  if (date) details.issueDate = date;
  const cert = findCertNumber(text);
  if (cert) details.certNumber = cert;
  const name = findHolderName(text);
  if (name) details.holderName = name;
  return details;
}

/** Whether a text contains one of the words: Chinese anywhere, English as whole words. */
export function saysAny(text: string, words: { zh: string[]; en: string[] }): boolean {
  return saysAnyNormalized(normalize(text), words);
}

// A message is checked against a dozen word lists per turn, some of them put together per call (a hedge and "don't
// know" in one list): each English word's pattern is built once, by the word, not once per list or per check.
const WORD_PATTERNS_KEPT = 4096;
const englishPatterns = new Map<string, RegExp>();

function patternOf(word: string): RegExp {
  let pattern = englishPatterns.get(word);
  if (!pattern) {
    if (englishPatterns.size >= WORD_PATTERNS_KEPT) englishPatterns.clear();
    englishPatterns.set(word, (pattern = new RegExp(`(^|\\s)${word.replace(/'/g, '')}(\\s|$)`)));
  }
  return pattern;
}

/** saysAny on a text already normalized. */
export function saysAnyNormalized(normalized: string, words: { zh: string[]; en: string[] }): boolean {
  const t = squeeze(normalized.replace(PUNCTUATION, ' ')).replace(/['’]/g, '');
  return words.zh.some((w) => t.includes(w)) || words.en.some((w) => patternOf(w).test(t));
}

/** Whether a message says that something failed (失败, 没通过, rejected …), by knowledge/slots.yaml `failure`. */
export function saysFailure(text: string): boolean {
  return saysAny(text, slotCatalog().failure);
}

export function saysUnknown(text: string): boolean {
  return saysAny(text, slotCatalog().unknown);
}

const ORDINAL = /^(?:第)?([1-9一二三四五六七八九十])(?:个|项|种|\.|、)?$/;
const CHINESE_DIGITS = '一二三四五六七八九十';

/**
 * A direct answer to the question for one slot: a choice said in any of its words or by its number (DingTalk has no
 * buttons), a date, a certificate number, a name; { unknown: true } for "don't know"; undefined when it isn't an answer.
 */
export function recognizeSlotAnswer(slot: string, text: string, options: DetailOptions): string | Unknown | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const declaration = slotDeclaration(slot);
  switch (declaration.type) {
    case 'choice': {
      const ordinal = ORDINAL.exec(squeeze(comparable(trimmed)));
      if (ordinal) {
        const n = /\d/.test(ordinal[1]) ? Number(ordinal[1]) : CHINESE_DIGITS.indexOf(ordinal[1]) + 1;
        const choice = declaration.choices?.[n - 1];
        if (choice) return choice.value;
      }
      const value = findChoices(trimmed, { slots: [slot], answer: true }).get(slot);
      if (value) return value;
      break;
    }
    case 'date': {
      const date = findDate(trimmed, options);
      if (date) return date;
      break;
    }
    case 'certNumber': {
      const cert = findCertNumber(trimmed);
      if (cert) return cert;
      break;
    }
    case 'text':
      if (!saysUnknown(trimmed)) return slot === 'holderName' ? findHolderName(trimmed) ?? trimmed : trimmed;
      break;
  }
  return saysUnknown(trimmed) ? { unknown: true } : undefined;
}
