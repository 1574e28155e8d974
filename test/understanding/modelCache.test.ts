import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadKnowledgeBase, type KnowledgeBase } from '../../kb/knowledgeBase';
import { Classifier } from '../../understanding/classifier';
import { decodeModel, encodeModel, loadClassifierModel, modelKey } from '../../understanding/modelCache';

// A few entries train in a fraction of a second; the cache does not care how many there are.
const full = loadKnowledgeBase();
const kb: KnowledgeBase = subset(full.entries.filter((e) => e.product === 'domain').slice(0, 4));
const ids = kb.entries.map((e) => e.id);

function subset(entries: KnowledgeBase['entries']): KnowledgeBase {
  return { entries, byId: new Map(entries.map((e) => [e.id, e])) };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-cache-'));
  file = path.join(dir, 'classifier.model');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('classifier model cache', () => {
  it('builds the model when there is no file, saves it, and loads it from the file next time with the same answers', () => {
    const built = loadClassifierModel(kb, file);
    expect(built).toMatchObject({ origin: 'built', reason: 'no model file' });
    expect(built.saveError).toBeUndefined();
    const cached = loadClassifierModel(kb, file);
    expect(cached.origin).toBe('cache');
    const texts = ['身份证是新办的，提示不在实名库中', 'the certificate photo is blurry', '域名实名认证失败'];
    const fromBuilt = new Classifier(kb, built.model);
    const fromCache = new Classifier(kb, cached.model);
    for (const text of texts) expect(fromCache.classify(text)).toEqual(fromBuilt.classify(text));
  });

  it('never uses a file with a changed byte: it rebuilds and rewrites it', () => {
    loadClassifierModel(kb, file);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(decodeModel(bytes, modelKey(kb), ids)).toBe('corrupt (checksum mismatch)');

    const rebuilt = loadClassifierModel(kb, file);
    expect(rebuilt).toMatchObject({ origin: 'built', reason: 'corrupt (checksum mismatch)' });
    expect(typeof decodeModel(fs.readFileSync(file), modelKey(kb), ids)).not.toBe('string');
  });

  it('never uses a truncated or foreign file', () => {
    loadClassifierModel(kb, file);
    const bytes = fs.readFileSync(file);
    expect(decodeModel(bytes.subarray(0, bytes.length - 100), modelKey(kb), ids)).toBe('corrupt (checksum mismatch)');
    expect(decodeModel(bytes.subarray(0, 10), modelKey(kb), ids)).toBe('not a model file of this format');
    expect(decodeModel(Buffer.from('{"weights":[]}'), modelKey(kb), ids)).toBe('not a model file of this format');
  });

  it('rebuilds a model built from other phrasings (stale), keyed by the content hash', () => {
    loadClassifierModel(kb, file);
    const [first, ...rest] = kb.entries;
    const edited = subset([{ ...first, examples: { ...first.examples, zh: [...(first.examples.zh ?? []).slice(1)] } }, ...rest]);
    expect(modelKey(edited)).not.toBe(modelKey(kb));
    expect(modelKey(subset([...kb.entries]))).toBe(modelKey(kb));

    const rebuilt = loadClassifierModel(edited, file);
    expect(rebuilt).toMatchObject({ origin: 'built', reason: 'stale (built from another knowledge base or code)' });
    expect(loadClassifierModel(edited, file).origin).toBe('cache');
  });

  it('refuses a whole file whose arrays do not fit the entries', () => {
    const { model } = loadClassifierModel(kb, file);
    const key = modelKey(kb);
    expect(decodeModel(encodeModel(key, { ...model, weights: new Float64Array(3) }), key, ids)).toBe('corrupt (inconsistent arrays)');
    const items = model.phrasePostings.items.slice();
    items[0] = model.phraseEntry.length;
    expect(decodeModel(encodeModel(key, { ...model, phrasePostings: { ...model.phrasePostings, items } }), key, ids)).toBe('corrupt (inconsistent arrays)');
    expect(decodeModel(encodeModel(key, model), key, [...ids].reverse())).toBe('corrupt (inconsistent arrays)');
  });

  it('still gives a model when the cache folder cannot be written', () => {
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const result = loadClassifierModel(kb, path.join(blocked, 'classifier.model'));
    expect(result.origin).toBe('built');
    expect(result.saveError).toBeDefined();
    expect(new Classifier(kb, result.model).classify('域名实名认证失败').candidates.length).toBeGreaterThan(0);
  });
});
