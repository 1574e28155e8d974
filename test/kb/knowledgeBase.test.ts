import * as fs from 'fs';
import * as path from 'path';
import { loadKnowledgeBase, KNOWLEDGE_DIR } from '../../kb/knowledgeBase';
import { slotDeclaration } from '../../understanding/slots';
import { calculators } from '../../answers/calculators';
import { taxonomyIds } from '../helpers/shared';

const kb = loadKnowledgeBase();

describe('knowledge base', () => {
  it('has exactly the taxonomy ids', () => {
    expect(kb.entries.map((e) => e.id).sort()).toEqual(taxonomyIds().sort());
  });

  it('answers every entry in both languages and teaches it in both', () => {
    for (const entry of kb.entries) {
      expect({ id: entry.id, zh: entry.answer.zh.trim().length > 0, en: entry.answer.en.trim().length > 0 }).toEqual({ id: entry.id, zh: true, en: true });
      expect({ id: entry.id, en: (entry.examples.en ?? []).length >= 5 }).toEqual({ id: entry.id, en: true });
      if (entry.kind === 'failure' || entry.kind === 'question') {
        expect({ id: entry.id, zh: (entry.examples.zh ?? []).length >= 8, prompts: (entry.prompts?.zh ?? []).length > 0 }).toEqual({ id: entry.id, zh: true, prompts: true });
        expect({ id: entry.id, sources: (entry.source ?? []).length > 0 }).toEqual({ id: entry.id, sources: true });
      }
    }
  });

  it('cites only the seed documents that exist', () => {
    const docs = new Set(['000', '001', '002', '003']);
    for (const entry of kb.entries) for (const s of entry.source ?? []) expect(docs.has(s.doc)).toBe(true);
  });

  it('declares only slots and calculators that exist', () => {
    for (const entry of kb.entries) {
      for (const slot of entry.slots ?? []) expect(() => slotDeclaration(slot.name)).not.toThrow();
      for (const name of entry.compute ?? []) expect(typeof calculators[name]).toBe('function');
    }
  });

  it('refuses an entry that breaks the schema', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kb-'));
    fs.cpSync(path.join(KNOWLEDGE_DIR, 'schema'), path.join(dir, 'schema'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'entries', 'domain'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'entries', 'domain', 'broken.yaml'), 'id: domain.broken\nproduct: domain\nkind: failure\n');
    expect(() => loadKnowledgeBase(dir)).toThrow(/answer/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an example taught to two entries', () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kb-'));
    fs.cpSync(path.join(KNOWLEDGE_DIR, 'schema'), path.join(dir, 'schema'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'entries', 'domain'), { recursive: true });
    const entry = (id: string) =>
      `id: domain.${id}\nproduct: domain\nkind: failure\ntitle: {zh: 标题, en: title}\nexamples: {zh: [同一句话], en: [same words]}\nanswer: {zh: 答案, en: answer}\n`;
    fs.writeFileSync(path.join(dir, 'entries', 'domain', 'one.yaml'), entry('one'));
    fs.writeFileSync(path.join(dir, 'entries', 'domain', 'two.yaml'), entry('two'));
    expect(() => loadKnowledgeBase(dir)).toThrow(/also taught to/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
