import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import * as nodejieba from 'nodejieba';
import { fromRoot } from '../config/paths';

const USER_DICT = fromRoot('knowledge', 'lexicon', 'user-dict.utf8');

let loaded = false;

const MIN_FREQUENCY = 5;

/**
 * Loads jieba's dictionaries once, with the domain words of knowledge/lexicon. The keyword-extraction
 * dictionaries (IDF, stop words: ~6 MB) are never used for cutting, so a one-line stand-in keeps them out of memory.
 */
export function loadSegmenter(): void {
  if (loaded) return;
  const dictDir = path.join(path.dirname(require.resolve('nodejieba')), 'submodules', 'cppjieba', 'dict');
  const stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jieba-'));
  const idfStub = path.join(stubDir, 'idf.utf8');
  const stopStub = path.join(stubDir, 'stop.utf8');
  const commonWords = path.join(stubDir, 'jieba.dict.utf8');
  fs.writeFileSync(idfStub, '实名 10.0\n');
  fs.writeFileSync(stopStub, '的\n');
  fs.writeFileSync(commonWords, commonDictionary(fs.readFileSync(path.join(dictDir, 'jieba.dict.utf8'), 'utf8')));
  nodejieba.load({
    dict: commonWords,
    hmmDict: path.join(dictDir, 'hmm_model.utf8'),
    userDict: USER_DICT,
    idfDict: idfStub,
    stopWordDict: stopStub,
  });
  fs.rmSync(stubDir, { recursive: true, force: true });
  loaded = true;
}

/**
 * jieba's dictionary without its rarest words. Its trie costs memory by the word: the full 349,000 words take ~225 MB
 * per process, while words seen fewer than MIN_FREQUENCY times in jieba's corpus (names, rare compounds) change little
 * here — the classifier also reads character and pinyin bigrams, and the domain words come from the user dictionary.
 */
function commonDictionary(full: string): string {
  return full
    .split('\n')
    .filter((line) => Number(line.split(' ')[1]) >= MIN_FREQUENCY)
    .join('\n');
}

/** Chinese word segmentation of a normalized text. */
export function cutWords(text: string): string[] {
  loadSegmenter();
  return nodejieba.cut(text);
}
