import type { Lang } from '../understanding/language';

export type Product = 'domain' | 'icp' | 'dayu' | 'general';
export type EntryKind = 'failure' | 'question' | 'smalltalk' | 'handoff' | 'none';
export type Bilingual = Record<Lang, string>;
export type Phrases = Partial<Record<Lang, string[]>>;
export type ConditionValue = string | number | boolean;
/** A slot or fact equal to a value, one of a list, or `{ not: … }`; `anyOf` holds when one of its conditions does. */
export type Condition = { [key: string]: ConditionValue | ConditionValue[] | { not: ConditionValue | ConditionValue[] } | Condition[] };

export interface SlotRequirement {
  name: string;
  /** false: used when the user gives it, never asked. */
  ask?: boolean;
  /** Ask only when this holds. */
  when?: Condition;
  /** Why this entry's answer depends on the detail (else the slot's general reason). */
  why?: Bilingual;
}

/** A fact of the entry's seed that the answer leaves out, for a follow-up that asks for it. */
export interface AnswerPartData {
  zh: string;
  en: string;
  /** Words a follow-up asking for it uses beyond the part's own text. */
  asks?: Phrases;
  /** The next step when the answer's steps did not help. */
  stillFails?: boolean;
}

export interface AnswerCase {
  when: Condition;
  zh: string;
  en: string;
  replace?: boolean;
}

/** One knowledge entry, as written in knowledge/entries/<product>/<name>.yaml. */
export interface Entry {
  id: string;
  product: Product;
  kind: EntryKind;
  source?: { doc: string; section: string }[];
  title: Bilingual;
  prompts?: Phrases;
  examples: Phrases;
  slots?: SlotRequirement[];
  /** Entries of other products showing the same prompt text (the ICP app and 大鱼号). */
  sharedWith?: string[];
  /** By entry of sharedWith: this entry's prompts the other product shows too (same words or meaning). */
  sharedPrompts?: Record<string, string[]>;
  compute?: string[];
  answer: Bilingual;
  parts?: AnswerPartData[];
  cases?: AnswerCase[];
}
