/**
 * Where a turn's state lives. In a one-to-one chat that is the conversation; in a group (a DingTalk group chat,
 * a Teams channel or group chat) every member has their own state within the conversation, so that one member's
 * answer never fills in another member's open question. The turn queue serializes turns by the same key.
 */
import { ConversationState, type Activity, type Storage, type TurnContext } from 'botbuilder';

const GROUP_TYPES = new Set(['group', 'groupChat', 'channel']);

/** A conversation with several people: Bot Framework's `isGroup`, or a group type (DingTalk 'group', Teams 'groupChat' / 'channel'). */
export function isGroupConversation(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  if (!conversation || typeof conversation !== 'object') return false;
  return conversation.isGroup === true || (typeof conversation.conversationType === 'string' && GROUP_TYPES.has(conversation.conversationType));
}

/** `<channel>/conversations/<conversation>` or, in a group, `…/members/<member>`; undefined without a conversation id. */
export function stateKeyOf(activity: Partial<Activity> | undefined): string | undefined {
  const conversationId = activity?.conversation?.id;
  if (typeof conversationId !== 'string' || !conversationId) return undefined;
  const base = `${typeof activity?.channelId === 'string' ? activity.channelId : ''}/conversations/${conversationId}`;
  if (!isGroupConversation(activity!)) return base;
  const member = typeof activity?.from?.id === 'string' && activity.from.id ? activity.from.id : 'unknown';
  return `${base}/members/${member}`;
}

/** ConversationState stored under `stateKeyOf`: per member in group conversations, as before elsewhere. */
export class MemberConversationState extends ConversationState {
  constructor(storage: Storage, private readonly keyNamespace = '') {
    super(storage, keyNamespace);
  }

  override getStorageKey(context: TurnContext): string | undefined {
    if (!isGroupConversation(context.activity)) return super.getStorageKey(context);
    const key = stateKeyOf(context.activity);
    return key ? `${key}/${this.keyNamespace}` : undefined;
  }
}
