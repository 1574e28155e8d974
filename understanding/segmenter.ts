import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import * as nodejieba from 'nodejieba';
import { fromRoot } from '../config/paths';

export const USER_DICT = fromRoot('knowledge', 'lexicon', 'user-dict.utf8');
const JIEBA_DICT_DIR = path.join(path.dirname(require.resolve('nodejieba')), 'submodules', 'cppjieba', 'dict');

const MIN_FREQUENCY = 5;

let loadedDictionary: string | undefined;

/**
 * jieba's dictionary cut down to the words that can matter here: seen at least MIN_FREQUENCY times in jieba's corpus, and
 * written only with characters the knowledge base's phrasings use. Its trie costs ~700 bytes a word: the full 349,000
 * words take ~225 MB per process, these ~43,000 ~35 MB. A word with a character no phrasing has can never be a feature the
 * classifier knows; the classifier also reads character and pinyin bigrams, and the domain words come from the user
 * dictionary. Checked by the labelled sets (npm run kb -- eval): the same answers as with the whole dictionary.
 */
export function domainDictionary(phrasings: Iterable<string>): string {
  const characters = new Set<string>();
  for (const text of phrasings) for (const char of text) characters.add(char);
  return fs
    .readFileSync(path.join(JIEBA_DICT_DIR, 'jieba.dict.utf8'), 'utf8')
    .split('\n')
    .filter((line) => {
      const [word, frequency] = line.split(' ');
      if (!(Number(frequency) >= MIN_FREQUENCY)) return false;
      for (const char of word) if (!characters.has(char)) return false;
      return true;
    })
    .join('\n');
}

/**
 * Loads jieba once per process with a dictionary (see domainDictionary) and the domain words of knowledge/lexicon. The
 * keyword-extraction dictionaries (IDF, stop words: ~6 MB) are never used for cutting, so one-line stand-ins keep them out.
 */
export function loadSegmenter(dictionary: string): void {
  if (loadedDictionary !== undefined) {
    if (loadedDictionary !== dictionary) throw new Error('jieba is already loaded with another dictionary');
    return;
  }
  const stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jieba-'));
  try {
    const files = { dict: 'jieba.dict.utf8', idfDict: 'idf.utf8', stopWordDict: 'stop.utf8' };
    fs.writeFileSync(path.join(stubDir, files.dict), dictionary);
    fs.writeFileSync(path.join(stubDir, files.idfDict), '实名 10.0\n');
    fs.writeFileSync(path.join(stubDir, files.stopWordDict), '的\n');
    nodejieba.load({
      dict: path.join(stubDir, files.dict),
      hmmDict: path.join(JIEBA_DICT_DIR, 'hmm_model.utf8'),
      userDict: USER_DICT,
      idfDict: path.join(stubDir, files.idfDict),
      stopWordDict: path.join(stubDir, files.stopWordDict),
    });
  } finally {
    fs.rmSync(stubDir, { recursive: true, force: true });
  }
  loadedDictionary = dictionary;
}

/** Chinese word segmentation of a normalized text. */
export function cutWords(text: string): string[] {
  if (loadedDictionary === undefined) throw new Error('loadSegmenter() first');
  return nodejieba.cut(text);
}
