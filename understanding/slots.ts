import { validatedKnowledgeFile } from '../kb/validatedCache';

export type SlotType = 'choice' | 'date' | 'certNumber' | 'attachment' | 'text';

export interface SlotChoice {
  value: string;
  zh: string;
  en: string;
  synonyms?: { zh: string[]; en: string[] };
}

export interface SlotDeclaration {
  type: SlotType;
  prompt: { zh: string; en: string };
  retry: { zh: string; en: string };
  /** Why the answer depends on the detail: said when the user asks why, or answers another detail instead. */
  why: { zh: string; en: string };
  /** Words that, said with the detail, mean it is not this detail. */
  notWith?: { zh: string[]; en: string[] };
  /** Dates: words naming the moment of writing, which date the failure rather than the detail beside another date. */
  present?: { zh: string[]; en: string[] };
  /** Words asking about the detail in general: the general answer is given instead of asking for it. */
  askedAbout?: { zh: string[]; en: string[] };
  choices?: SlotChoice[];
}

export interface SlotCatalog {
  slots: Record<string, SlotDeclaration>;
  /** "I don't know" in each language. */
  unknown: { zh: string[]; en: string[] };
  failure: { zh: string[]; en: string[] };
  /** Words saying the system showed a message. */
  reported?: { zh: string[]; en: string[] };
  /** System wording that looks like a detail but is not one. */
  ignore: string[];
}

let catalog: SlotCatalog | undefined;

/** knowledge/slots.yaml, validated against its schema once. */
export function slotCatalog(): SlotCatalog {
  catalog ??= validatedKnowledgeFile<SlotCatalog>('slots', 'slots.yaml', 'slots.schema.json', (data) => {
    for (const [name, slot] of Object.entries(data.slots)) {
      if (slot.type === 'choice' && !slot.choices?.length) throw new Error(`knowledge/slots.yaml: choice slot ${name} has no choices`);
    }
  });
  return catalog;
}

export function slotDeclaration(name: string): SlotDeclaration {
  const declaration = slotCatalog().slots[name];
  if (!declaration) throw new Error(`no slot "${name}" in knowledge/slots.yaml`);
  return declaration;
}
