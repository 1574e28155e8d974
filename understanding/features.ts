import { pinyin } from 'pinyin-pro';
import { WordTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer';
import PorterStemmer = require('natural/lib/natural/stemmers/porter_stemmer');
import { cutWords } from './segmenter';
import { stripPunctuation } from './normalize';

/** A bag of weighted features: the unit the classifier compares. */
export type FeatureBag = Map<string, number>;

const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_RUN = /[a-z0-9][a-z0-9.'-]*/g;
const englishTokenizer = new WordTokenizer();

// Function words that carry no meaning for telling failures apart.
const ZH_STOP = new Set(['的', '了', '吗', '呢', '吧', '啊', '呀', '我', '我的', '你', '您', '是', '在', '就', '都', '也', '还', '和', '有', '这', '那', '个', '一个', '怎么', '什么', '请问', '一下', '这个', '那个', '说', '但是', '可是', '为什么', '怎么办', '如何']);
const EN_STOP = new Set(['a', 'an', 'the', 'i', 'my', 'me', 'we', 'our', 'you', 'your', 'it', 'its', 'is', 'are', 'was', 'were', 'be', 'been', 'to', 'of', 'in', 'on', 'at', 'for', 'and', 'or', 'but', 'do', 'does', 'did', 'what', 'how', 'why', 'this', 'that', 'there', 'so', 'can', 'should', 'would', 'could', 'with', 'as', 'by', 'from', 'have', 'has', 'had', 'just', 'please', 'it\'s', 'i\'m', 's', 'now', 'get', 'got', 'says', 'said', 'say']);

/** Weights of each feature family: words carry meaning, character and sound bigrams carry typo- and paraphrase-robustness. */
const WEIGHT = { zhWord: 1, zhBigram: 0.8, zhChar: 0.25, pinyinBigram: 0.45, enWord: 1, enBigram: 0.5 } as const;

const syllables = new Map<string, string>();

/** A character's toneless pinyin, cached: reading each character alone is consistent for phrases and messages alike, and fast. */
function syllableOf(char: string): string {
  let syllable = syllables.get(char);
  if (syllable === undefined) {
    syllable = pinyin(char, { toneType: 'none' });
    syllables.set(char, syllable);
  }
  return syllable;
}

// Natural's Porter stemmer runs regular expressions that are quadratic in a word's length: 1,990 digits took 12 ms.
// No English word is this long, so longer tokens (numbers, pasted junk) are kept as they are.
const LONGEST_STEMMED = 30;

function stem(token: string): string {
  return token.length > LONGEST_STEMMED ? token : PorterStemmer.stem(token);
}

function add(bag: FeatureBag, key: string, weight: number): void {
  bag.set(key, (bag.get(key) ?? 0) + weight);
}

/** Features of a normalized text (see normalize()): Chinese words, character and pinyin bigrams; English stems and stem bigrams. */
export function extractFeatures(normalized: string): FeatureBag {
  const bag: FeatureBag = new Map();
  const text = stripPunctuation(normalized);

  for (const run of text.match(HAN_RUN) ?? []) {
    for (const word of cutWords(run)) {
      if (!ZH_STOP.has(word)) add(bag, `w:${word}`, WEIGHT.zhWord);
    }
    const chars = Array.from(run);
    for (let i = 0; i < chars.length; i++) {
      add(bag, `c:${chars[i]}`, WEIGHT.zhChar);
      if (i + 1 < chars.length) add(bag, `b:${chars[i]}${chars[i + 1]}`, WEIGHT.zhBigram);
    }
    // Homophone typos (实明认证 for 实名认证) keep their sound: bigrams of toneless syllables.
    const syllables = chars.map(syllableOf);
    for (let i = 0; i + 1 < syllables.length; i++) add(bag, `p:${syllables[i]}_${syllables[i + 1]}`, WEIGHT.pinyinBigram);
  }

  const latin = text.replace(HAN_RUN, ' ');
  if (LATIN_RUN.test(latin)) {
    const stems = englishTokenizer
      .tokenize(latin)
      .map((t) => t.toLowerCase())
      .filter((t) => !EN_STOP.has(t))
      .map(stem);
    stems.forEach((stem, i) => {
      add(bag, `e:${stem}`, WEIGHT.enWord);
      if (i + 1 < stems.length) add(bag, `E:${stem}_${stems[i + 1]}`, WEIGHT.enBigram);
    });
  }
  LATIN_RUN.lastIndex = 0;
  return bag;
}

/** Character bigrams (Chinese) and stems (English) of a text: the units prompt coverage is counted in. */
export function promptUnits(normalized: string): Set<string> {
  const units = new Set<string>();
  const text = stripPunctuation(normalized);
  for (const run of text.match(HAN_RUN) ?? []) {
    const chars = Array.from(run);
    if (chars.length === 1) units.add(`c:${chars[0]}`);
    for (let i = 0; i + 1 < chars.length; i++) units.add(`b:${chars[i]}${chars[i + 1]}`);
  }
  const latin = text.replace(HAN_RUN, ' ');
  for (const token of englishTokenizer.tokenize(latin)) {
    const t = token.toLowerCase();
    if (!EN_STOP.has(t)) units.add(`e:${stem(t)}`);
  }
  return units;
}
