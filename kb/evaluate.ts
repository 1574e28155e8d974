import * as fs from 'fs';
import type { Classifier, Classification } from '../understanding/classifier';

export interface LabelledMessage {
  expected: string;
  lang: string;
  text: string;
}

export type MessageKind = 'in-scope' | 'conversational' | 'off-topic' | 'ambiguous';

/** Reads a labelled file shaped like shared/eval/dev.tsv: a header, then expected<TAB>lang<TAB>text. */
export function readLabelled(file: string): LabelledMessage[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => {
      const [expected, lang, ...rest] = line.split('\t');
      return { expected: expected.trim(), lang: lang.trim(), text: rest.join('\t') };
    });
}

export function kindOf(expected: string): MessageKind {
  if (expected === 'none') return 'off-topic';
  if (expected.startsWith('clarify:')) return 'ambiguous';
  if (/^(smalltalk|handoff)\./.test(expected)) return 'conversational';
  return 'in-scope';
}

/** Whether the classification acts as the label asks: the entry, none, or a clarification between exactly the labelled entries. */
export function isCorrect(expected: string, result: Classification): boolean {
  if (expected.startsWith('clarify:')) {
    const wanted = expected.slice('clarify:'.length).split('|').sort();
    const offered = result.candidates.slice(0, wanted.length).map((c) => c.id).sort();
    return result.intent === 'clarify' && wanted.join() === offered.join();
  }
  return result.intent === expected;
}

export interface EvaluationReport {
  total: number;
  correct: number;
  byGroup: Record<string, { total: number; correct: number }>;
  misses: { expected: string; got: string; score: number; text: string }[];
}

export function evaluate(classifier: Classifier, messages: LabelledMessage[]): EvaluationReport {
  const report: EvaluationReport = { total: 0, correct: 0, byGroup: {}, misses: [] };
  for (const m of messages) {
    const result = classifier.classify(m.text);
    const ok = isCorrect(m.expected, result);
    report.total++;
    if (ok) report.correct++;
    for (const group of [`kind:${kindOf(m.expected)}`, `lang:${m.lang}`]) {
      const g = (report.byGroup[group] ??= { total: 0, correct: 0 });
      g.total++;
      if (ok) g.correct++;
    }
    if (!ok) report.misses.push({ expected: m.expected, got: result.intent === 'clarify' ? `clarify:${result.candidates.slice(0, 2).map((c) => c.id).join('|')}` : result.intent, score: result.score, text: m.text });
  }
  return report;
}
