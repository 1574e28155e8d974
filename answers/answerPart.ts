import { validatedKnowledgeFile } from '../kb/validatedCache';
import { contentWords } from '../understanding/contentWords';
import { normalize } from '../understanding/normalize';

const MAX_LINES = 3;
/** A block the follow-up may be answered with: a line of the answer, or one of the entry's parts. */
export interface PartSource {
  text: string;
  /** Words a follow-up asking for it uses beyond its own text. */
  asks?: string[];
}

let topicGroups: string[][] | undefined;

/** knowledge/lexicon/topics.yaml: groups of words that say one thing, validated once. */
function topics(): string[][] {
  topicGroups ??= validatedKnowledgeFile<{ groups: string[][] }>('topics', 'lexicon/topics.yaml', 'topics.schema.json').groups.map((g) => g.map((w) => normalize(w)));
  return topicGroups;
}

/** Whether a question names one of the topics ("多少钱" names money): it asks about something, though in no content word. */
export function namesTopic(question: string): boolean {
  const q = normalize(question);
  return topics().some((group) => group.some((w) => contains(q, w)));
}

/** Whether a normalized text contains a word: Chinese anywhere, Latin words whole. */
function contains(text: string, word: string): boolean {
  if (/\p{Script=Han}/u.test(word)) return text.includes(word);
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // "6.2mb" says mb: a unit may follow a number.
  const before = /^[a-z]/.test(word) ? '[^a-z]' : '[^a-z0-9]';
  return new RegExp(`(^|${before})${escaped}([^a-z0-9]|$)`).test(text);
}

/**
 * What a question asks about, as concepts: each of its content words, and each topic group it names (any word of the
 * group then matches). A concept weighs the length of the words the question said it with.
 */
function concepts(question: string, asks: string[]): { words: string[]; weight: number; topic: boolean }[] {
  const out: { words: string[]; weight: number; topic: boolean }[] = [];
  const grouped = new Set<string>();
  // A part's own asking words ("微信", "alipay") are looked for as they are: the segmenter may not know them.
  const groups = [...topics(), ...asks.filter((w) => contains(question, w)).map((w) => [w])];
  for (const group of groups) {
    const said = group.filter((w) => contains(question, w));
    if (!said.length) continue;
    said.forEach((w) => grouped.add(w));
    out.push({ words: group, weight: Math.max(2, ...said.map((w) => [...w].length)), topic: true });
  }
  for (const w of contentWords(question)) {
    if (![...grouped].some((g) => g.includes(w) || w.includes(g))) out.push({ words: [w], weight: [...w].length, topic: false });
  }
  return out;
}

/**
 * The blocks that speak of what a follow-up asks ("在哪查", "do I get my money back?"): the answer's lines and the entry's
 * parts, by the question's content words and the topics it names, a concept that most lines share not counting. Empty
 * when none does: the caller says so rather than guessing. Hand-written: the answer is a handful of lines; a search
 * index would be more than the job.
 */
export function answerPart(answer: string, question: string, parts: PartSource[] = []): string[] {
  const units: Unit[] = [...linesUnder(answer), ...parts.map((p) => ({ text: p.text.trim(), asks: p.asks }))];
  const lines = answerLines(units, question, parts);
  // A line under a heading ("The organization's certificate is elsewhere:") is given with it, the heading once.
  const out: string[] = [];
  for (const u of lines) {
    if (u.heading && !out.includes(u.heading)) out.push(u.heading);
    out.push(u.text);
  }
  return out;
}

interface Unit extends PartSource {
  /** The heading line the line stands under: searched with it, and shown before it. */
  heading?: string;
}

/** The answer's lines; a line ending in a colon heads the lines after it and is no line of its own (alone it says nothing). */
function linesUnder(answer: string): Unit[] {
  const out: Unit[] = [];
  let heading: string | undefined;
  for (const line of answer.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (/[:：]$/.test(line)) heading = line;
    else out.push({ text: line, heading });
  }
  return out;
}

function answerLines(units: Unit[], question: string, parts: PartSource[]): Unit[] {
  const searchable = units.map((u) => normalize(`${u.heading ?? ''} ${u.text} ${(u.asks ?? []).join(' ')}`));
  const hitsOf = (c: { words: string[] }) => searchable.map((t) => c.words.some((w) => contains(t, w)));
  const said = concepts(normalize(question), [...new Set(parts.flatMap((p) => (p.asks ?? []).map((w) => normalize(w))))])
    .map((c) => ({ ...c, hits: hitsOf(c) }))
    .map((c) => ({ ...c, count: c.hits.filter(Boolean).length }))
    .filter((c) => c.count > 0);
  // A plain word most lines share tells nothing; a topic the whole answer is about still counts, for less.
  const asked = said.filter((c) => c.topic || units.length < 4 || c.count <= units.length / 2);
  if (!asked.length) {
    // "why would the country code matter": two or more words of the answer's own subject, said together in its lines:
    // the question is about what the answer is about, so those lines answer it.
    const together = units.map((_, i) => said.filter((c) => c.hits[i]).length >= 2);
    if (said.length >= 2) return units.filter((_, i) => together[i]).slice(0, MAX_LINES);
    // "国家代码那里应该填什么": the one thing asked is what most of a short answer is about; its lines answer it.
    const only = said[0];
    return only && only.count <= MAX_LINES ? units.filter((_, i) => only.hits[i]) : [];
  }
  const scores = units.map((_, i) => asked.reduce((s, c) => s + (c.hits[i] ? (c.weight * (units.length - c.count + 1)) / units.length : 0), 0));
  const best = Math.max(...scores);
  return units.filter((_, i) => scores[i] === best && best > 0).slice(0, MAX_LINES);
}
