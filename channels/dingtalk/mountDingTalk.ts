import express, { type Express } from 'express';
import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { DingTalkAdapter, isAddressedToBot, type DingTalkAdapterOptions, type DingTalkMessage } from './dingTalkAdapter';
import { verifyDingTalk } from './signature';
import type { SeenMessages } from './seenMessages';
import { checkUrl } from '../../net/outbound';

export interface DingTalkOptions extends DingTalkAdapterOptions {
  runBot: (context: TurnContext) => Promise<void>;
  middleware: Middleware[];
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  appSecret: string | undefined;
  /** Largest accepted difference between a callback's signed timestamp and now. */
  maxSkewMs: number;
  /** msgIds already answered. */
  seen: SeenMessages;
}

export function createDingTalkAdapter(options: Pick<DingTalkOptions, 'middleware' | 'onTurnError' | keyof DingTalkAdapterOptions>): DingTalkAdapter {
  const adapter = new DingTalkAdapter(options);
  for (const m of options.middleware) adapter.use(m);
  adapter.onTurnError = options.onTurnError;
  return adapter;
}

const ID_LENGTH = 1024;
const CODE_LENGTH = 4096;
const RICH_TEXT_ITEMS = 100;

// Words of any length within the body's byte cap: the adapter cuts the message's text (cutText), which is then answered as too long.
const ANY_LENGTH = Infinity;

const optional = (value: unknown, type: 'string' | 'boolean', max = ID_LENGTH) =>
  value === undefined || value === null || (typeof value === type && (type !== 'string' || (value as string).length <= max));
const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

function isRichTextItem(item: unknown): boolean {
  return isObject(item) && optional(item.text, 'string', ANY_LENGTH) && optional(item.type, 'string') && optional(item.downloadCode, 'string', CODE_LENGTH) && optional(item.pictureDownloadCode, 'string', CODE_LENGTH);
}

function isContent(content: unknown): boolean {
  if (content === undefined || content === null) return true;
  if (!isObject(content)) return false;
  const rich = content.richText;
  return (
    (rich === undefined || rich === null || (Array.isArray(rich) && rich.length <= RICH_TEXT_ITEMS && rich.every(isRichTextItem))) &&
    optional(content.recognition, 'string', ANY_LENGTH) &&
    optional(content.downloadCode, 'string', CODE_LENGTH) &&
    optional(content.pictureDownloadCode, 'string', CODE_LENGTH)
  );
}

/**
 * A robot message with every field the adapter reads of the type it expects (a signed callback is still input), a
 * msgId (replays are recognized by it) and a session webhook on one of DingTalk's hosts.
 */
function isDingTalkMessage(body: unknown, webhookPolicy: DingTalkAdapterOptions['webhookPolicy']): body is DingTalkMessage {
  if (!isObject(body)) return false;
  const m = body as Record<string, unknown> & { text?: unknown };
  if (!(typeof m.conversationId === 'string' && m.conversationId && m.conversationId.length <= ID_LENGTH)) return false;
  if (!(typeof m.msgId === 'string' && m.msgId && m.msgId.length <= ID_LENGTH)) return false;
  if (!(typeof m.sessionWebhook === 'string' && m.sessionWebhook.length <= 2048 && typeof m.sessionWebhookExpiredTime === 'number')) return false;
  try {
    checkUrl(m.sessionWebhook, webhookPolicy);
  } catch {
    return false;
  }
  const text = m.text as Record<string, unknown> | undefined | null;
  return (
    optional(m.conversationType, 'string') &&
    optional(m.msgtype, 'string') &&
    optional(m.senderStaffId, 'string') &&
    optional(m.senderId, 'string') &&
    optional(m.senderNick, 'string') &&
    optional(m.chatbotUserId, 'string') &&
    optional(m.isInAtList, 'boolean') &&
    (text === undefined || text === null || (isObject(text) && optional(text.content, 'string', ANY_LENGTH))) &&
    isContent(m.content)
  );
}

/**
 * POST /api/dingtalk: DingTalk robot callbacks in HTTP mode. The signature headers are checked before anything else;
 * a forged or stale callback gets 401 and nothing is processed; a msgId seen before is acknowledged and not answered.
 */
export function mountDingTalk(app: Express, options: DingTalkOptions): DingTalkAdapter {
  const adapter = createDingTalkAdapter(options);
  app.post('/api/dingtalk', (req, res, next) => {
    if (!verifyDingTalk(req.headers.timestamp, req.headers.sign, options.appSecret ?? '', options.maxSkewMs)) {
      res.status(401).json({ error: 'invalid DingTalk signature' });
      return;
    }
    next();
  }, express.json({ limit: '256kb' }), async (req, res) => {
    if (!isDingTalkMessage(req.body, options.webhookPolicy)) {
      res.status(400).json({ error: 'not a DingTalk robot message' });
      return;
    }
    const message = req.body;
    if (!isAddressedToBot(message) || !(await firstTime(options, message.msgId))) {
      res.status(200).json({});
      return;
    }
    try {
      await adapter.handle(message, options.runBot);
      res.status(200).json({});
    } catch (err) {
      options.logger.error({ err: (err as Error).message }, 'DingTalk turn failed');
      res.status(500).json({ error: 'internal error' });
    }
  });
  return adapter;
}

/** Whether a msgId is new; when the store cannot tell (Redis down), the message is handled rather than lost. */
async function firstTime(options: Pick<DingTalkOptions, 'seen' | 'logger'>, msgId: string): Promise<boolean> {
  try {
    return await options.seen.firstTime(msgId);
  } catch (err) {
    options.logger.warn({ err: (err as Error).message }, 'DingTalk msgId check failed');
    return true;
  }
}

/** Stream mode (official dingtalk-stream SDK): the same adapter, fed by DingTalk's long connection instead of callbacks. */
export async function startDingTalkStream(
  credentials: { clientId: string; clientSecret: string },
  adapter: DingTalkAdapter,
  options: Pick<DingTalkOptions, 'runBot' | 'logger' | 'seen' | 'webhookPolicy'>,
): Promise<{ disconnect(): void }> {
  const { DWClient, TOPIC_ROBOT } = await import('dingtalk-stream');
  const { logger } = options;
  const client = new DWClient({ clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  client.registerCallbackListener(TOPIC_ROBOT, (downstream) => {
    let message: unknown;
    try {
      message = JSON.parse(downstream.data);
    } catch {
      logger.warn('DingTalk stream: message is not JSON');
    }
    const done = () => client.socketCallBackResponse(downstream.headers.messageId, {});
    if (!isDingTalkMessage(message, options.webhookPolicy) || !isAddressedToBot(message)) return done();
    const robotMessage = message;
    firstTime(options, robotMessage.msgId)
      .then((first) => (first ? adapter.handle(robotMessage, options.runBot) : undefined))
      .catch((err: Error) => logger.error({ err: err.message }, 'DingTalk stream turn failed'))
      .finally(done);
  });
  await client.connect();
  return client;
}
