import * as fs from 'fs';
import { facts, loadFacts } from '../../answers/facts';
import { loadKnowledgeBase } from '../../kb/knowledgeBase';
import { knowledgeDigest, validatedFile, validatedOnce } from '../../kb/validatedCache';

describe('validated knowledge kept between starts', () => {
  const name = `test-${process.pid}`;
  afterEach(() => fs.rmSync(validatedFile(name), { force: true }));

  it('gives what the validation gave, then the kept copy without validating again', () => {
    const validate = jest.fn(() => ({ phrases: ['实名认证', 'real-name'], nested: { n: 1 } }));
    const first = validatedOnce(name, validate);
    const second = validatedOnce(name, validate);
    expect(second).toEqual(first);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('validates again when the kept copy is unreadable or was made from other files', () => {
    const validate = jest.fn(() => ({ v: 1 }));
    fs.mkdirSync(require('path').dirname(validatedFile(name)), { recursive: true });
    fs.writeFileSync(validatedFile(name), '{"key":"');
    expect(validatedOnce(name, validate)).toEqual({ v: 1 });
    fs.writeFileSync(validatedFile(name), JSON.stringify({ key: `not ${knowledgeDigest()}`, data: { v: 'stale' } }));
    expect(validatedOnce(name, validate)).toEqual({ v: 1 });
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it('never keeps a failed validation', () => {
    expect(() => validatedOnce(name, () => { throw new Error('entry broken'); })).toThrow('entry broken');
    expect(fs.existsSync(validatedFile(name))).toBe(false);
  });

  it('reads the same knowledge base and facts from the kept copy as from the files', () => {
    expect(loadKnowledgeBase().entries).toEqual(loadKnowledgeBase(undefined, { cached: false }).entries);
    expect(facts()).toEqual(loadFacts());
  });
});
