// natural's stop-word list, by its own path: the package index pulls in ESM-only dependencies.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stopwords: string[] = require('natural/lib/natural/util/stopwords').words;
import { cutWords } from '../understanding/segmenter';
import { normalize } from '../understanding/normalize';
import { signalLexicon } from '../understanding/signals';

const MAX_LINES = 3;
const ENGLISH_STOP = new Set(stopwords);
/** Words every answer of this domain uses; matching on them would pick any line. */
const GENERIC = new Set(['实名', '认证', '实名认证', '域名', '提交', '证件', '审核', '信息', '资料', '可以', '需要', '这个', '那个', '还是', '我们', '你们', '是不是', 'domain', 'verification', 'submit', 'certificate', 'information']);

/** The content words of a normalized question: no signal words ("那如果", "where"), no stop words. */
function contentWords(normalized: string): string[] {
  const { followUp, questions, hedge, correction } = signalLexicon();
  const signal = new Set([followUp, hedge, correction, ...Object.values(questions)].flatMap((w) => [...w.zh, ...w.en]));
  const words = cutWords(normalized).map((w) => w.trim()).filter(Boolean);
  return [...new Set(words)].filter((w) => {
    if (signal.has(w) || GENERIC.has(w) || ENGLISH_STOP.has(w)) return false;
    return /\p{Script=Han}/u.test(w) ? [...w].length >= 2 : /^[a-z0-9.]{3,}$/.test(w);
  });
}

/**
 * The lines of an answer that speak of what a follow-up asks ("在哪查", "where do I check the business license?"), by the
 * question's content words, a word that most lines share not counting. Empty when no line does: the caller says so
 * rather than guessing. Hand-written: the answer is a handful of lines; a search index would be more than the job.
 */
export function answerPart(answer: string, question: string): string[] {
  const lines = answer.split('\n').map((l) => l.trim()).filter(Boolean);
  const normalizedLines = lines.map((l) => normalize(l));
  const words = contentWords(question).filter((w) => {
    const hits = normalizedLines.filter((l) => l.includes(w)).length;
    return hits > 0 && (lines.length < 4 || hits <= lines.length / 2);
  });
  if (!words.length) return [];
  const scores = normalizedLines.map((l) => words.filter((w) => l.includes(w)).reduce((s, w) => s + [...w].length, 0));
  const best = Math.max(...scores);
  return lines.filter((_, i) => scores[i] === best && best > 0).slice(0, MAX_LINES);
}
