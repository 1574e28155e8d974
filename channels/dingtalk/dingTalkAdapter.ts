import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type Attachment,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { randomUUID } from 'crypto';
import type { Logger } from 'pino';
import { send, type OutboundPolicy } from '../../net/outbound';
import type { DingTalkFiles } from './dingTalkFiles';
import { cutText } from '../../bots/activityValidation';

/** One element of a richText message: a run of text or a picture. */
export interface DingTalkRichTextItem {
  text?: string;
  type?: string;
  downloadCode?: string;
  pictureDownloadCode?: string;
}

/** The robot callback DingTalk sends, in HTTP mode and in stream mode alike. */
export interface DingTalkMessage {
  conversationId: string;
  /** 1 = single chat, 2 = group chat. */
  conversationType: string;
  senderStaffId?: string;
  senderId?: string;
  senderNick?: string;
  chatbotUserId?: string;
  msgId: string;
  /** text, richText, picture, audio, file, video … */
  msgtype?: string;
  text?: { content?: string };
  /** richText: `richText`; audio: `recognition` (DingTalk's transcript); picture: `downloadCode`. */
  content?: { richText?: DingTalkRichTextItem[]; recognition?: string; downloadCode?: string; pictureDownloadCode?: string };
  isInAtList?: boolean;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
}

export interface DingTalkChannelData {
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
  senderStaffId?: string;
}

export interface DingTalkAdapterOptions {
  /** Where session webhooks may point (DingTalk's hosts) and how long a post may take. */
  webhookPolicy: OutboundPolicy;
  logger: Logger;
  /** DingTalk's file API, when app credentials are configured: pictures are then read. */
  files?: DingTalkFiles;
  /** Waits before each retry of a post DingTalk refused as too fast (errcode 130101). */
  rateLimitDelaysMs?: readonly number[];
}

const TITLE_LENGTH = 20;
/** DingTalk's "send too fast" (a robot may post about 20 messages a minute to one chat). */
const SEND_TOO_FAST = 130101;
const RATE_LIMIT_DELAYS_MS = [1000, 2000];
/** A picture whose download URL could not be obtained: the dialog then tells the user it could not be read. */
export const UNAVAILABLE_FILE_URL = 'dingtalk-file:unavailable';

/** Whether the bot should read a message at all: in group chats only when it is @-mentioned. */
export function isAddressedToBot(message: DingTalkMessage): boolean {
  return message.conversationType !== '2' || message.isInAtList === true;
}

/** The user's words without @-mentions (DingTalk leaves the mention's spacing, and sometimes the name, in the text). */
export function stripMentions(text: string): string {
  return text.replace(/(^|\s)@\S+/g, ' ').trim();
}

/** The message's words (text, the text runs of richText, DingTalk's transcript of audio), cut as every channel cuts them. */
export function textOf(message: DingTalkMessage): string {
  switch (message.msgtype ?? 'text') {
    case 'text':
      return cutText(stripMentions(message.text?.content ?? ''));
    case 'richText':
      return cutText(stripMentions((message.content?.richText ?? []).map((item) => item.text ?? '').join('')));
    case 'audio':
      return cutText((message.content?.recognition ?? '').trim());
    default:
      return '';
  }
}

/** Download codes of the pictures in a message (a picture message, or pictures inside richText). */
export function pictureCodesOf(message: DingTalkMessage): string[] {
  const code = (item: { downloadCode?: string; pictureDownloadCode?: string } | undefined) => item?.downloadCode || item?.pictureDownloadCode;
  if (message.msgtype === 'picture') return [code(message.content)].filter((c): c is string => !!c);
  if (message.msgtype === 'richText') return (message.content?.richText ?? []).map(code).filter((c): c is string => !!c);
  return [];
}

/** The webhook's `at` for the mention entities of a reply (group chats: the member it answers). */
function atOf(activity: Partial<Activity>): { at?: { atUserIds: string[] } } {
  const atUserIds = (activity.entities ?? []).filter((e) => e.type === 'mention' && typeof e.mentioned?.id === 'string').map((e) => e.mentioned.id as string);
  return atUserIds.length ? { at: { atUserIds } } : {};
}

/** Maps a DingTalk robot callback onto a Bot Framework message activity. */
export function toActivity(message: DingTalkMessage, attachments: Attachment[] = []): Partial<Activity> {
  const channelData: DingTalkChannelData = {
    sessionWebhook: message.sessionWebhook,
    sessionWebhookExpiredTime: message.sessionWebhookExpiredTime,
    senderStaffId: message.senderStaffId,
  };
  return {
    type: ActivityTypes.Message,
    id: message.msgId,
    channelId: 'dingtalk',
    serviceUrl: 'dingtalk:',
    timestamp: new Date(),
    locale: 'zh-CN',
    conversation: { id: message.conversationId, isGroup: message.conversationType === '2', conversationType: message.conversationType === '2' ? 'group' : 'personal', name: '' },
    from: { id: message.senderStaffId || message.senderId || 'unknown', name: message.senderNick ?? '' },
    recipient: { id: message.chatbotUserId ?? 'bot', name: 'bot' },
    text: textOf(message),
    ...(attachments.length ? { attachments } : {}),
    channelData,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A channel adapter from DingTalk's robot callbacks to the bot: replies are posted as markdown to the session
 * webhook of the callback being answered (never another one) while it is valid. DingTalk reports a refused post as
 * HTTP 200 with an errcode: "send too fast" is retried after a pause, a few times; other refusals are logged.
 * DingTalk has no update or delete for robot messages.
 */
export class DingTalkAdapter extends BotAdapter {
  constructor(private readonly options: DingTalkAdapterOptions) {
    super();
  }

  async handle(message: DingTalkMessage, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, toActivity(message, await this.pictures(message)));
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
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: text.replace(/[*#`>\n]/g, ' ').trim().slice(0, TITLE_LENGTH), text }, ...atOf(activity) });
      responses.push({ id: (await this.post(channelData.sessionWebhook, body)) ? randomUUID() : '' });
    }
    return responses;
  }

  /** Posts one reply; true when DingTalk took it. */
  private async post(webhook: string, body: string): Promise<boolean> {
    const delays = this.options.rateLimitDelaysMs ?? RATE_LIMIT_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      const response = await send(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, this.options.webhookPolicy);
      if (response.status < 200 || response.status >= 300) throw new Error(`DingTalk webhook answered ${response.status}`);
      const errcode = errcodeOf(response.body);
      if (errcode === 0) return true;
      if (errcode === SEND_TOO_FAST && attempt < delays.length) {
        await sleep(delays[attempt]);
        continue;
      }
      this.options.logger.warn({ errcode, attempts: attempt + 1 }, 'DingTalk refused a reply');
      return false;
    }
  }

  /** The pictures as attachments: their download URLs from DingTalk's file API, when it is configured and answers. */
  private async pictures(message: DingTalkMessage): Promise<Attachment[]> {
    const codes = pictureCodesOf(message).slice(0, 1);
    return Promise.all(
      codes.map(async (code) => {
        let contentUrl = UNAVAILABLE_FILE_URL;
        if (this.options.files) {
          contentUrl = await this.options.files.downloadUrl(code).catch((err: Error) => {
            this.options.logger.warn({ err: err.message }, 'DingTalk picture download URL not obtained');
            return UNAVAILABLE_FILE_URL;
          });
        }
        return { contentType: 'image/*', contentUrl };
      }),
    );
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

/** DingTalk's errcode in a webhook answer; an answer without one counts as taken (0), an unreadable one as -1. */
function errcodeOf(body: Buffer): number {
  if (!body.length) return 0;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errcode?: unknown };
    return typeof parsed?.errcode === 'number' ? parsed.errcode : 0;
  } catch {
    return -1;
  }
}
