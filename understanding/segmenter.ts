import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import * as nodejieba from 'nodejieba';

const USER_DICT = path.join(__dirname, '..', 'knowledge', 'lexicon', 'user-dict.utf8');

let loaded = false;

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
  fs.writeFileSync(idfStub, '实名 10.0\n');
  fs.writeFileSync(stopStub, '的\n');
  nodejieba.load({
    dict: path.join(dictDir, 'jieba.dict.utf8'),
    hmmDict: path.join(dictDir, 'hmm_model.utf8'),
    userDict: USER_DICT,
    idfDict: idfStub,
    stopWordDict: stopStub,
  });
  fs.rmSync(stubDir, { recursive: true, force: true });
  loaded = true;
}

/** Chinese word segmentation of a normalized text. */
export function cutWords(text: string): string[] {
  loadSegmenter();
  return nodejieba.cut(text);
}
