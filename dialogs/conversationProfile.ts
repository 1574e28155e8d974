import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { Lang } from '../understanding/language';
import type { DetailReading } from '../understanding/reading';

/** Where a detail came from: said in passing, the answer to the bot's question, or the host page. */
export type DetailSource = 'said' | 'asked' | 'host';

/** The last answer given: its entry and the details it was computed with, to answer a follow-up in its context. */
export interface LastAnswer {
  entryId: string;
  details: Record<string, unknown>;
}

/**
 * The tracker: what the bot knows about a conversation, kept in conversation state (Redis or memory). Only derived data:
 * details by slot name (a certificate number only as its masked analysis), never the text the user typed.
 */
export interface ConversationProfile {
  lang?: Lang;
  details: Record<string, unknown>;
  /** Where each detail came from. */
  sources?: Record<string, DetailSource>;
  /** Details said with a hedge ("the English one I think"): asked to confirm before they are used. */
  hedged?: Record<string, string>;
  /** Details the user said they don't know, for the entry being answered. */
  unknown: string[];
  /** The entry being worked on or last answered, and the confidence it was recognized with. */
  entryId?: string;
  entryScore?: number;
  /** The detail the open question asks for. */
  openSlot?: string;
  lastAnswer?: LastAnswer;
  /** Turns in a row that ended without help (out of scope, or a follow-up the documents don't cover). */
  failures?: number;
  /** Entries last offered as "did you mean", so a bare number can choose one. */
  suggestions?: string[];
}

export type ProfileAccessor = StatePropertyAccessor<ConversationProfile>;

export async function getProfile(accessor: ProfileAccessor, context: TurnContext): Promise<ConversationProfile> {
  return accessor.get(context, { details: {}, unknown: [] });
}

/** Takes a detail as known: it replaces an earlier value (a correction) and settles a hedge about it. */
export function learn(profile: ConversationProfile, slot: string, value: unknown, source: DetailSource): void {
  profile.details[slot] = value;
  (profile.sources ??= {})[slot] = source;
  if (profile.hedged) delete profile.hedged[slot];
  profile.unknown = profile.unknown.filter((s) => s !== slot);
}

/** Remembers the details a message gave: sure ones as known, hedged ones to be confirmed when they matter. */
export function learnDetails(profile: ConversationProfile, details: DetailReading[], source: DetailSource = 'said'): void {
  for (const d of details) {
    if (d.certainty === 'sure' || typeof d.value !== 'string') learn(profile, d.slot, d.value, source);
    else (profile.hedged ??= {})[d.slot] = d.value;
  }
}

/** Whether a detail said differs from the one known (a correction, or a changed detail after an answer). */
export function differs(profile: ConversationProfile, detail: { slot: string; value: unknown }): boolean {
  const known = profile.details[detail.slot];
  return known !== undefined && JSON.stringify(known) !== JSON.stringify(detail.value);
}
