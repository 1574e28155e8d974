import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { randomUUID } from 'crypto';

/** The robot callback DingTalk sends, in HTTP mode and in stream mode alike. */
export interface DingTalkMessage {
  conversationId: string;
  /** 1 = single chat, 2 = group chat. */
  conversationType: string;
  senderStaffId?: string;
  senderId?: string;
  senderNick?: string;
  chatbotUserId?: string;
  msgId?: string;
  msgtype?: string;
  text?: { content?: string };
  isInAtList?: boolean;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
}

export interface DingTalkChannelData {
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
  senderStaffId?: string;
}

const WEBHOOK_TIMEOUT_MS = 5000;
const TITLE_LENGTH = 20;

/** Whether the bot should read a message at all: in group chats only when it is @-mentioned. */
export function isAddressedToBot(message: DingTalkMessage): boolean {
  return message.conversationType !== '2' || message.isInAtList === true;
}

/** The user's words without @-mentions (DingTalk leaves the mention's spacing, and sometimes the name, in the text). */
export function stripMentions(text: string): string {
  return text.replace(/(^|\s)@\S+/g, ' ').trim();
}

/** The webhook's `at` for the mention entities of a reply (group chats: the member it answers). */
function atOf(activity: Partial<Activity>): { at?: { atUserIds: string[] } } {
  const atUserIds = (activity.entities ?? []).filter((e) => e.type === 'mention' && typeof e.mentioned?.id === 'string').map((e) => e.mentioned.id as string);
  return atUserIds.length ? { at: { atUserIds } } : {};
}

/** Maps a DingTalk robot callback onto a Bot Framework message activity. */
export function toActivity(message: DingTalkMessage): Partial<Activity> {
  const channelData: DingTalkChannelData = {
    sessionWebhook: message.sessionWebhook,
    sessionWebhookExpiredTime: message.sessionWebhookExpiredTime,
    senderStaffId: message.senderStaffId,
  };
  return {
    type: ActivityTypes.Message,
    id: message.msgId ?? randomUUID(),
    channelId: 'dingtalk',
    serviceUrl: 'dingtalk:',
    timestamp: new Date(),
    locale: 'zh-CN',
    conversation: { id: message.conversationId, isGroup: message.conversationType === '2', conversationType: message.conversationType === '2' ? 'group' : 'personal', name: '' },
    from: { id: message.senderStaffId || message.senderId || 'unknown', name: message.senderNick ?? '' },
    recipient: { id: message.chatbotUserId ?? 'bot', name: 'bot' },
    text: message.msgtype && message.msgtype !== 'text' ? '' : stripMentions(message.text?.content ?? ''),
    channelData,
  };
}

/**
 * A channel adapter from DingTalk's robot callbacks to the bot: replies are posted as markdown to the
 * conversation's session webhook while it is valid. DingTalk has no update or delete for robot messages.
 */
export class DingTalkAdapter extends BotAdapter {
  constructor(private readonly fetchImpl: typeof fetch = fetch) {
    super();
  }

  async handle(message: DingTalkMessage, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, toActivity(message));
    await this.runMiddleware(context, logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const channelData = context.activity.channelData as DingTalkChannelData;
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message || !activity.text) {
        responses.push({ id: '' });
        continue;
      }
      if (Date.now() > channelData.sessionWebhookExpiredTime) throw new Error('DingTalk session webhook has expired');
      const text = activity.text;
      const response = await this.fetchImpl(channelData.sessionWebhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: text.replace(/[*#`>\n]/g, ' ').trim().slice(0, TITLE_LENGTH), text }, ...atOf(activity) }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`DingTalk webhook answered ${response.status}`);
      responses.push({ id: randomUUID() });
    }
    return responses;
  }

  async updateActivity(): Promise<void> {
    throw new Error('DingTalk robot messages cannot be updated');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('DingTalk robot messages cannot be deleted');
  }

  async continueConversation(_reference: Partial<ConversationReference>, _logic: (context: TurnContext) => Promise<void>): Promise<void> {
    throw new Error('DingTalk robots reply only within a session webhook');
  }
}
