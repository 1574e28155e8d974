import type { TurnContext } from 'botbuilder';
import type { Understanding } from '../understanding';
import type { ProfileAccessor } from './conversationProfile';

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
}
