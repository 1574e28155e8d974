import type { Token, TokenizerFunction } from 'botbuilder-dialogs';

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const WORD = /[\p{L}\p{N}]/u;

/**
 * The choice prompt's tokenizer. The default one splits only on spaces and punctuation, so "我是香港的" is one token and
 * never matches the choice 香港. Here every CJK character is a token (choices and utterances are cut the same way, so
 * a choice's characters match in sequence) and Latin letters and digits form words. Written by hand: botbuilder-dialogs
 * accepts a custom tokenizer but ships none for Chinese.
 */
export const chineseAwareTokenizer: TokenizerFunction = (text: string): Token[] => {
  const tokens: Token[] = [];
  let word: Token | undefined;
  const close = () => {
    if (word) tokens.push(word);
    word = undefined;
  };
  let index = 0;
  for (const char of text) {
    const end = index + char.length - 1;
    if (CJK.test(char)) {
      close();
      tokens.push({ start: index, end, text: char, normalized: char });
    } else if (WORD.test(char)) {
      if (!word) word = { start: index, end, text: '', normalized: '' };
      word.text += char;
      word.normalized = word.text.toLowerCase();
      word.end = end;
    } else {
      close();
    }
    index += char.length;
  }
  close();
  return tokens;
};
