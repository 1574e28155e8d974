import type { Storage, TurnContext } from 'botbuilder';
import { MemberConversationState } from '../storage/stateKey';
import { loadUnderstanding } from '../understanding';
import { MainDialog } from '../dialogs/mainDialog';
import type { ConversationProfile } from '../dialogs/conversationProfile';
import type { DialogDependencies } from '../dialogs/dialogContext';
import { downloadAttachment } from '../answers/attachmentDownload';
import { outboundPolicies } from '../net/policies';
import { today } from '../config/clock';
import type { Settings } from '../config/settings';
import { isAgentConversation } from './agentMode';
import { SupportBot } from './supportBot';

export interface BotOverrides {
  today?: () => string;
  download?: (url: string) => Promise<Buffer>;
}

/** The bot with its dialogs over a storage: one instance serves every channel. */
export function createBot(storage: Storage, settings: Settings, overrides: BotOverrides = {}): SupportBot {
  const conversationState = new MemberConversationState(storage);
  const attachmentPolicy = outboundPolicies(settings).attachment;
  const deps: DialogDependencies = {
    understanding: loadUnderstanding(),
    profile: conversationState.createProperty<ConversationProfile>('profile'),
    today: overrides.today ?? (() => today()),
    download: overrides.download ?? ((url) => downloadAttachment(url, attachmentPolicy)),
    isAgentConversation: (context: TurnContext) => isAgentConversation(context, settings.agentConversations),
  };
  return new SupportBot(conversationState, new MainDialog(deps), deps);
}
