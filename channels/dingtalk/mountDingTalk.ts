import express, { type Express } from 'express';
import type { Middleware, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { DingTalkAdapter, isAddressedToBot, type DingTalkMessage } from './dingTalkAdapter';
import { verifyDingTalk } from './signature';
import { MAX_TEXT_LENGTH } from '../../bots/activityValidation';

export interface DingTalkOptions {
  runBot: (context: TurnContext) => Promise<void>;
  middleware: Middleware[];
  onTurnError: (context: TurnContext, error: Error) => Promise<void>;
  appSecret: string | undefined;
  logger: Logger;
  fetchImpl?: typeof fetch;
}

export function createDingTalkAdapter(options: Pick<DingTalkOptions, 'middleware' | 'onTurnError' | 'fetchImpl'>): DingTalkAdapter {
  const adapter = new DingTalkAdapter(options.fetchImpl);
  for (const m of options.middleware) adapter.use(m);
  adapter.onTurnError = options.onTurnError;
  return adapter;
}

const optional = (value: unknown, type: 'string' | 'boolean') => value === undefined || value === null || typeof value === type;

/** A robot message with every field the adapter reads of the type it expects (a signed callback is still input). */
function isDingTalkMessage(body: unknown): body is DingTalkMessage {
  const m = body as Partial<DingTalkMessage> | undefined;
  return (
    !!m &&
    typeof m === 'object' &&
    typeof m.conversationId === 'string' &&
    typeof m.sessionWebhook === 'string' &&
    /^https?:\/\//.test(m.sessionWebhook) &&
    typeof m.sessionWebhookExpiredTime === 'number' &&
    optional(m.conversationType, 'string') &&
    optional(m.msgtype, 'string') &&
    optional(m.msgId, 'string') &&
    optional(m.senderStaffId, 'string') &&
    optional(m.senderId, 'string') &&
    optional(m.senderNick, 'string') &&
    optional(m.isInAtList, 'boolean') &&
    (m.text === undefined || m.text === null || (typeof m.text === 'object' && optional(m.text.content, 'string') && (m.text.content ?? '').length <= MAX_TEXT_LENGTH))
  );
}

/**
 * POST /api/dingtalk: DingTalk robot callbacks in HTTP mode. The signature headers are checked before anything else;
 * a forged or stale callback gets 401 and nothing is processed.
 */
export function mountDingTalk(app: Express, options: DingTalkOptions): DingTalkAdapter {
  const adapter = createDingTalkAdapter(options);
  app.post('/api/dingtalk', (req, res, next) => {
    if (!verifyDingTalk(req.header('timestamp'), req.header('sign'), options.appSecret ?? '')) {
      res.status(401).json({ error: 'invalid DingTalk signature' });
      return;
    }
    next();
  }, express.json({ limit: '256kb' }), (req, res, next) => {
    if (!isDingTalkMessage(req.body)) {
      res.status(400).json({ error: 'not a DingTalk robot message' });
      return;
    }
    if (!isAddressedToBot(req.body)) {
      res.status(200).json({});
      return;
    }
    adapter.handle(req.body, options.runBot).then(() => res.status(200).json({}), next);
  });
  return adapter;
}

/** Stream mode (official dingtalk-stream SDK): the same adapter, fed by DingTalk's long connection instead of callbacks. */
export async function startDingTalkStream(
  credentials: { clientId: string; clientSecret: string },
  adapter: DingTalkAdapter,
  runBot: (context: TurnContext) => Promise<void>,
  logger: Logger,
): Promise<{ disconnect(): void }> {
  const { DWClient, TOPIC_ROBOT } = await import('dingtalk-stream');
  const client = new DWClient({ clientId: credentials.clientId, clientSecret: credentials.clientSecret });
  client.registerCallbackListener(TOPIC_ROBOT, (downstream) => {
    let message: unknown;
    try {
      message = JSON.parse(downstream.data);
    } catch {
      logger.warn('DingTalk stream: message is not JSON');
    }
    const done = () => client.socketCallBackResponse(downstream.headers.messageId, {});
    if (!isDingTalkMessage(message) || !isAddressedToBot(message)) return done();
    adapter
      .handle(message, runBot)
      .catch((err: Error) => logger.error({ err: err.message }, 'DingTalk stream turn failed'))
      .finally(done);
  });
  await client.connect();
  return client;
}
