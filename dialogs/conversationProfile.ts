import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import type { Lang } from '../understanding/language';

/**
 * What the bot remembers about a conversation, kept in conversation state (Redis or memory).
 * Details hold slot values by slot name; a certificate number is only ever kept as its analysis (masked), never whole.
 */
export interface ConversationProfile {
  lang?: Lang;
  details: Record<string, unknown>;
  /** Details the user said they don't know, for the entry being answered. */
  unknown: string[];
  /** The entry being worked on or last answered, and the confidence it was recognized with. */
  entryId?: string;
  entryScore?: number;
  /** Entries last offered as "did you mean", so a bare number can choose one. */
  suggestions?: string[];
}

export type ProfileAccessor = StatePropertyAccessor<ConversationProfile>;

export async function getProfile(accessor: ProfileAccessor, context: TurnContext): Promise<ConversationProfile> {
  return accessor.get(context, { details: {}, unknown: [] });
}
