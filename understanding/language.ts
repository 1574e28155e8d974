export type Lang = 'zh' | 'en';

const HAN = /\p{Script=Han}/gu;
const HAN_TEST = /\p{Script=Han}/u;
// Whole Latin words only: the letters inside 91440300MA5F0XOA16 (a credit code) say nothing about the language.
const LATIN_WORD = /\b[a-z]{2,}\b/gi;
/** A lone word this short (HK, ok, id) is an answer or an abbreviation, not a switch of language. */
const SHORTEST_TELLING_WORD = 4;
const BRIEF_HAN = 4;
const BRIEF_LATIN_WORDS = 3;
// Latin tokens that Chinese users type inside Chinese sentences; they say nothing about the language.
const LOANWORDS = new Set(['icp', 'app', 'id', 'jpg', 'jpeg', 'png', 'bmp', 'gif', 'heic', 'webp', 'pc', 'ok', 'kb', 'mb', 'xml', 'cn', 'com', 'wifi', 'ios', 'qr', 'ps', 'ecs', 'ssl', 'dns', 'cdn', 'oss', 'http', 'https', 'www']);

/**
 * The language a message is written in, or undefined when the text does not tell (digits, emoji, a file name).
 * Mixed messages go by their framing words: Latin words must clearly outweigh Chinese characters for English.
 */
export function detectLanguage(text: string): Lang | undefined {
  const han = text.match(HAN)?.length ?? 0;
  const words = (text.match(LATIN_WORD) ?? []).filter((w) => !LOANWORDS.has(w.toLowerCase()));
  const latin = words.length;
  if (han === 0 && latin === 0) return undefined;
  if (han === 0 && latin === 1 && words[0].length < SHORTEST_TELLING_WORD) return undefined;
  if (han === 0) return 'en';
  if (latin === 0) return 'zh';
  return latin >= 3 && latin * 2 > han ? 'en' : 'zh';
}

// A run of Chinese as it is pasted: characters with the digits, full-width forms and punctuation inside a prompt.
const HAN_RUN = /[\p{Script=Han}][\p{Script=Han}\u3000-\u303f\uff00-\uffef\d~～、，。：；“”《》（）【】\s.%-]*/gu;

/**
 * The language to reply in: the message's, except that English framing, opening the message, around one or two pasted Chinese runs
 * ("my dayu account verification fails with 认证信息与大鱼号主体信息不一致") is English, however long the prompt.
 */
export function replyLanguage(text: string): Lang | undefined {
  const words = (text.replace(HAN_RUN, ' ').match(LATIN_WORD) ?? []).filter((w) => !LOANWORDS.has(w.toLowerCase()));
  const runs = (text.match(HAN_RUN) ?? []).filter((r) => (r.match(HAN)?.length ?? 0) >= 2).length;
  // It opens in English: the Latin words frame the message (a prompt may itself end in English: "…请检测：XML schema validation failed").
  if (runs >= 1 && runs <= 2 && words.length >= 3 && /^[\s\p{P}]*[a-z]/iu.test(text)) return 'en';
  return detectLanguage(text);
}

/**
 * Whether a message is too brief to change the conversation's language: an answer such as "Hong Kong", "ID card",
 * "intl" or 香港 in a conversation held in the other language.
 */
export function isBrief(text: string): boolean {
  const han = text.match(HAN)?.length ?? 0;
  const latin = text.match(LATIN_WORD)?.length ?? 0;
  return han <= BRIEF_HAN && latin <= BRIEF_LATIN_WORDS;
}

/** The language a short or unclear message leans to, for a conversation that has no language yet ("hi", "HK"). */
export function leaningLanguage(text: string): Lang {
  return /[a-z]/i.test(text) && !HAN_TEST.test(text) ? 'en' : 'zh';
}

/** Bot Framework locale (zh, zh-Hans, zh-CN, en-US, …) to the bot's language. */
export function languageOfLocale(locale: string | undefined): Lang | undefined {
  if (!locale) return undefined;
  const l = locale.toLowerCase();
  if (l.startsWith('zh')) return 'zh';
  if (l.startsWith('en')) return 'en';
  return undefined;
}

/** The culture the recognizers and prompts need: they fall back to English silently for 'zh' or 'zh-Hans'. */
export function cultureOf(lang: Lang): 'zh-cn' | 'en-us' {
  return lang === 'zh' ? 'zh-cn' : 'en-us';
}
