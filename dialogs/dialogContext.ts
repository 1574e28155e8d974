import type { TurnContext } from 'botbuilder';
import type { Understanding } from '../understanding';
import type { ProfileAccessor } from './conversationProfile';
import type { Lang } from '../understanding/language';

/** What a dialog hands over when the customer should reach a person (they asked, or the bot failed them). */
export interface HandoffRequest {
  lang: Lang;
  /** The entry being worked on or last answered, if any. */
  entryId?: string;
  score?: number;
  /** The conversation's details (a certificate number only as its masked analysis). */
  details?: Record<string, unknown>;
  /** The last messages, oldest first, as said: they are masked before they are kept on the case. */
  recent?: { from: 'customer' | 'bot'; text: string }[];
}

/** Opens a hand-off: tells the customer, sends handoff.initiate, posts the case to the agents (bots/handoff). */
export interface HandoffStarter {
  start(context: TurnContext, request: HandoffRequest): Promise<void>;
}

/** What the dialogs need from the outside world; tests pass fixed clocks and fake downloads. */
export interface DialogDependencies {
  understanding: Understanding;
  profile: ProfileAccessor;
  /** Today's date (yyyy-mm-dd, Asia/Shanghai). */
  today: () => string;
  /** Fetches a channel attachment's bytes (never a URL a user typed). */
  download: (url: string) => Promise<Buffer>;
  /** Whether this conversation belongs to support agents (answers show both languages, entry id and candidates). */
  isAgentConversation: (context: TurnContext) => boolean;
  handoff: HandoffStarter;
}
