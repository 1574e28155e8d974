// natural's stop-word list, by its own path: the package index pulls in ESM-only dependencies.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stopwords: string[] = require('natural/lib/natural/util/stopwords').words;
import { cutWords } from './segmenter';
import { signalLexicon } from './signals';

const ENGLISH_STOP = new Set(stopwords);
/** Words every answer of this domain uses; matching on them would pick any line. */
const GENERIC = new Set(['实名', '认证', '实名认证', '域名', '提交', '证件', '审核', '信息', '资料', '可以', '需要', '这个', '那个', '还是', '我们', '你们', '是不是', 'domain', 'verification', 'submit', 'certificate', 'information']);

let signalWords: Set<string> | undefined;

/** The content words of a normalized message: no signal words ("那如果", "where"), no filler, no stop words. */
export function contentWords(normalized: string): string[] {
  if (!signalWords) {
    const { followUp, questions, hedge, correction, stillFails, filler } = signalLexicon();
    signalWords = new Set([followUp, hedge, correction, stillFails, filler, ...Object.values(questions)].flatMap((w) => [...w.zh, ...w.en]));
  }
  const signal = signalWords;
  // jieba cuts Latin text into letters: it segments the Chinese runs, English is split into its words.
  const han = normalized.match(/\p{Script=Han}+/gu) ?? [];
  const latin = normalized.replace(/\p{Script=Han}+/gu, ' ').match(/[a-z0-9][a-z0-9.'-]*[a-z0-9]|[a-z0-9]/g) ?? [];
  const words = [...han.flatMap((run) => cutWords(run)), ...latin].map((w) => w.trim()).filter(Boolean);
  return [...new Set(words)].filter((w) => {
    if (signal.has(w) || GENERIC.has(w) || ENGLISH_STOP.has(w)) return false;
    return /\p{Script=Han}/u.test(w) ? [...w].length >= 2 : /^[a-z0-9.]{3,}$/.test(w);
  });
}
