import type { Entry } from '../kb/types';
import { holds } from '../kb/condition';
import type { Lang } from '../understanding/language';
import { calculators } from './calculators';
import { fill } from './messages';
import { slotCatalog } from '../understanding/slots';

export interface AnswerContext {
  lang: Lang;
  /** yyyy-mm-dd, Asia/Shanghai. */
  today: string;
  /** Known details by slot name (a certificate number only as its analysis). */
  details: Record<string, unknown>;
}

/**
 * The answer for this user's case: every case of the entry whose condition holds in the details and the facts
 * computed from them, in order, then the general answer unless a case replaces it.
 */
export function composeAnswer(entry: Entry, context: AnswerContext): string {
  const { parts, replaced } = renderCases(entry, context);
  if (!replaced) parts.push(entry.answer[context.lang].trim());
  return parts.join('\n\n');
}

/** Only the paragraphs tailored to this user's case (the cases that hold), without the general answer. */
export function tailoredAnswer(entry: Entry, context: AnswerContext): string {
  return renderCases(entry, context).parts.join('\n\n');
}

function renderCases(entry: Entry, context: AnswerContext): { parts: string[]; replaced: boolean } {
  const facts: Record<string, unknown> = {};
  for (const name of entry.compute ?? []) {
    Object.assign(facts, calculators[name]({ lang: context.lang, today: context.today, slots: context.details, product: entry.product }));
  }
  const scope = { ...scalarDetails(context.details), ...choiceNames(context.details, context.lang), ...facts };
  const parts: string[] = [];
  let replaced = false;
  for (const c of entry.cases ?? []) {
    if (!holds(c.when, scope)) continue;
    parts.push(fill(c[context.lang], scope).trim());
    replaced ||= c.replace === true;
  }
  return { parts, replaced };
}

/** {certTypeName}, {regionName} …: each choice detail's label in the answer's language, for placeholders. */
function choiceNames(details: Record<string, unknown>, lang: Lang): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [slot, value] of Object.entries(details)) {
    const choice = slotCatalog().slots[slot]?.choices?.find((c) => c.value === value);
    if (choice) names[`${slot}Name`] = choice[lang];
  }
  return names;
}

/** Details that conditions and placeholders can use directly: plain values, not analyses. */
function scalarDetails(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => typeof v !== 'object'));
}
