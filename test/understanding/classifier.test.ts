import * as OpenCC from 'opencc-js';
import { loadUnderstanding } from '../../understanding';
import { evaluate, readLabelled, kindOf } from '../../kb/evaluate';
import { sharedFile } from '../helpers/shared';
import * as path from 'path';

const { kb, classifier } = loadUnderstanding();
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

/** Entries whose prompt text is shared with an entry of another product: pasting it alone must be clarified. */
function sharedPromptOwners(prompt: string): string[] {
  return kb.entries.filter((e) => [...(e.prompts?.zh ?? []), ...(e.prompts?.en ?? [])].includes(prompt)).map((e) => e.id);
}

function promptsOf(lang: 'zh' | 'en') {
  return kb.entries.flatMap((e) => (e.prompts?.[lang] ?? []).map((prompt) => ({ id: e.id, prompt })));
}

function actsOn(text: string, id: string, owners: string[]) {
  const result = classifier.classify(text);
  if (owners.length > 1) return result.intent === 'clarify' ? owners.includes(result.candidates[0].id) : owners.includes(result.intent);
  return result.intent === id;
}

describe('classifier', () => {
  it.each(['审核结果：{p}。这是什么意思，怎么处理？', '域名实名认证没通过，系统提示“{p}”'])('recognizes every zh prompt pasted with words around it: %s', (template) => {
    const misses = promptsOf('zh').filter(({ id, prompt }) => !actsOn(template.replace('{p}', prompt), id, sharedPromptOwners(prompt)));
    expect(misses).toEqual([]);
  });

  it('recognizes every en prompt pasted with words around it, with high confidence', () => {
    const misses = promptsOf('en').filter(({ id, prompt }) => {
      const text = `I got this message: "${prompt}". What should I do?`;
      return !actsOn(text, id, sharedPromptOwners(prompt)) || classifier.classify(text).score < 0.6;
    });
    expect(misses).toEqual([]);
  });

  it('gives a pasted prompt high confidence', () => {
    const low = promptsOf('zh')
      .filter(({ prompt }) => sharedPromptOwners(prompt).length === 1 && prompt.length >= 6)
      .map(({ id, prompt }) => ({ id, prompt, result: classifier.classify(prompt) }))
      .filter(({ id, result }) => result.intent !== id || result.score < 0.7);
    expect(low.map(({ id, result }) => [id, result.intent, result.score])).toEqual([]);
  });

  it('reads traditional Chinese prompts', () => {
    const misses = promptsOf('zh').filter(({ id, prompt }) => !actsOn(toTraditional(prompt), id, sharedPromptOwners(prompt)));
    expect(misses).toEqual([]);
  });

  it('clarifies a prompt that exists in two products, and settles it from context', () => {
    const ambiguous = classifier.classify('请检查姓名和证件号是否正确');
    expect(ambiguous.intent).toBe('clarify');
    expect(ambiguous.candidates.slice(0, 2).map((c) => c.id).sort()).toEqual(['dayu.verify-failed-generic', 'icp.name-id-check']);
    expect(classifier.classify('请检查姓名和证件号是否正确', { product: 'dayu' }).intent).toBe('dayu.verify-failed-generic');
    expect(classifier.classify('大鱼号认证提示请检查姓名和证件号是否正确').intent).toBe('dayu.verify-failed-generic');
    expect(classifier.classify('备案APP核验提示请检查姓名和证件号是否正确').intent).toBe('icp.name-id-check');
  });

  it.each(['云服务器ECS怎么升级配置', 'how much does a .com domain cost to renew', '今天北京天气怎么样', 'SSL证书怎么部署到nginx', '😀😀😀', 'asdfqwer zxcv', '12345'])(
    'keeps off-topic messages out of the knowledge base: %s',
    (text) => {
      expect(classifier.classify(text).intent).toBe('none');
    },
  );

  it('returns candidates with scores in 0..1, best first', () => {
    const result = classifier.classify('身份证刚换的新证，实名提示不在实名库');
    expect(result.candidates.length).toBeGreaterThan(1);
    for (const c of result.candidates) expect(c.score).toBeGreaterThanOrEqual(0);
    const scores = result.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(result.score).toBeLessThanOrEqual(1);
  });

  it('reaches 95% on the shared sample set', () => {
    const report = evaluate(classifier, readLabelled(sharedFile('eval', 'dev.tsv')));
    expect(report.misses).toEqual([]);
    expect(report.correct / report.total).toBeGreaterThanOrEqual(0.95);
  });

  // labelled.tsv: written apart from the training phrases; blind-*.tsv: written by people who never saw them.
  it.each(['labelled.tsv', 'blind-domain.tsv', 'blind-icp-dayu.tsv', 'blind-mixed.tsv'])('holds its bar on %s, messages kept apart from the training phrases', (file) => {
    const messages = readLabelled(path.join(__dirname, '..', 'data', file));
    expect(messages.length).toBeGreaterThanOrEqual(200);
    const report = evaluate(classifier, messages);
    const rate = (kind: string) => report.byGroup[`kind:${kind}`].correct / report.byGroup[`kind:${kind}`].total;
    expect(rate('in-scope')).toBeGreaterThanOrEqual(0.95);
    expect(rate('off-topic')).toBeGreaterThanOrEqual(0.9);
    if (report.byGroup['kind:ambiguous']) expect(rate('ambiguous')).toBeGreaterThanOrEqual(0.8);
  });
});
