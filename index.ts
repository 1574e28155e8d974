import express, { type NextFunction, type Request, type Response } from 'express';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import pino from 'pino';
import { readSettings, type Settings } from './config/settings';
import { createStorage } from './storage/createStorage';
import { createBot, createHandoffService, type BotOverrides } from './bots/createBot';
import { DingTalkDesk } from './bots/handoff/dingTalkDesk';
import { ChannelDelivery } from './bots/handoff/delivery';
import { MemoryCaseStore, RedisCaseStore } from './storage/handoffCases';
import { MemoryTrafficLog, RedisTrafficLog } from './storage/trafficLog';
import { mountAdminReport } from './admin/mountAdminReport';
import { warmUp } from './bots/warmUp';
import { ChannelRendering } from './bots/channelRendering';
import { BotMetrics } from './bots/metrics';
import { reply } from './bots/replies';
import { message } from './answers/messages';
import { detectLanguage, languageOfLocale } from './understanding/language';
import { validateIncomingActivity } from './bots/activityValidation';
import { mountDingTalk, startDingTalkStream } from './channels/dingtalk/mountDingTalk';
import { mountDirectLine } from './channels/directline/mountDirectLine';
import { mountWebChat } from './channels/webchat/mountWebChat';

export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', redact: ['text', '*.text'] });

const STORAGE_FAILURE = /redis|connection|timed? ?out|econnrefused|writeable|stream isn't|storage/i;

/** The HTTP server: POST /api/messages for Bot Framework channels, GET /health; channels mount beside it. */
export function createApp(settings: Settings = readSettings(), overrides: BotOverrides = {}) {
  const stateStore = createStorage(process.env, logger);
  // Hand-off cases and recorded traffic live beside the state (issue #13), so every process sees them.
  const { redis, config } = stateStore;
  const cases = redis ? new RedisCaseStore(redis, config.keyPrefix, settings.handoff.caseTtlSeconds) : new MemoryCaseStore(settings.handoff.caseTtlSeconds);
  const traffic = redis ? new RedisTrafficLog(redis, config.keyPrefix, settings.trafficTtlSeconds, overrides.now) : new MemoryTrafficLog(settings.trafficTtlSeconds, overrides.now);
  const handoff = createHandoffService(
    {
      cases,
      desk: settings.handoff.dingTalkWebhook ? new DingTalkDesk(settings.handoff.dingTalkWebhook, settings.handoff.dingTalkSecret) : undefined,
      deskConversation: settings.handoff.dingTalkConversation,
      timeoutSeconds: settings.handoff.timeoutSeconds,
      logger,
      now: overrides.now,
    },
    overrides.today,
  );
  const bot = createBot(stateStore.storage, settings, overrides, { handoff, traffic });
  const metrics = new BotMetrics();
  const middleware = [metrics, stateStore.turnMiddleware, new ChannelRendering(), handoff];

  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: process.env.MicrosoftAppId,
      MicrosoftAppPassword: process.env.MicrosoftAppPassword,
      MicrosoftAppType: process.env.MicrosoftAppType,
      MicrosoftAppTenantId: process.env.MicrosoftAppTenantId,
    }),
  );
  for (const m of middleware) adapter.use(m);
  adapter.onTurnError = (context, error) => onTurnError(context, error);

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', async (_req, res) => {
    const storage = await stateStore.health();
    res.status(storage.reachable ? 200 : 503).json({ status: storage.reachable ? 'ok' : 'degraded', storage });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.post('/api/messages', express.json({ limit: '1mb' }), validateIncomingActivity, (req, res, next) => {
    adapter.process(req, res, (context) => bot.run(context)).catch(next);
  });
  const dingTalk = mountDingTalk(app, {
    runBot: (context) => bot.run(context),
    middleware,
    onTurnError,
    appSecret: settings.dingTalkAppSecret,
    logger,
  });
  const directLine = mountDirectLine(app, { runBot: (context) => bot.run(context), middleware, onTurnError, logger });
  mountWebChat(app, { directLine, logger });
  handoff.useDelivery(new ChannelDelivery({ cloud: adapter, appId: process.env.MicrosoftAppId, directLine: directLine.adapter, dingTalk }));
  mountAdminReport(app, { token: settings.adminToken, traffic, now: overrides.now });
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err: err.message }, 'request failed');
    res.status(status).json({ error: status === 500 ? 'internal error' : err.type ?? err.message });
  });
  return { app, adapter, dingTalk, directLine, bot, middleware, stateStore, handoff, traffic };
}

/** A failed turn still gets a reply in the user's language; a storage outage says "retry shortly". */
async function onTurnError(context: TurnContext, error: Error): Promise<void> {
  logger.error({ err: error.message, name: error.name, conversation: context.activity.conversation?.id }, 'turn failed');
  const lang = detectLanguage(context.activity.text ?? '') ?? languageOfLocale(context.activity.locale) ?? 'zh';
  const key = STORAGE_FAILURE.test(`${error.name} ${error.message}`) ? 'retryShortly' : 'error';
  try {
    await context.sendActivity(reply(message(key, lang), { intent: 'none', score: 0 }));
  } catch (sendError) {
    logger.warn({ err: (sendError as Error).message }, 'could not send the error reply');
  }
}

async function main(): Promise<void> {
  const settings = readSettings();
  const { app, stateStore, dingTalk, directLine, bot, handoff } = createApp(settings);
  const warmUpStarted = Date.now();
  await warmUp(settings);
  logger.info({ ms: Date.now() - warmUpStarted }, 'warmed up');
  if (settings.dingTalkStream) {
    startDingTalkStream(settings.dingTalkStream, dingTalk, (context) => bot.run(context), logger).catch((err: Error) =>
      logger.error({ err: err.message }, 'DingTalk stream mode could not connect'),
    );
  }
  const server = app.listen(settings.port, () => logger.info({ port: settings.port }, 'bot listening: POST /api/messages'));
  directLine.attachWebSocket(server);
  const stop = () => {
    handoff.stop();
    void directLine.close().finally(() => server.close(() => void stateStore.close().finally(() => process.exit(0))));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled rejection'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    logger.fatal({ err: err.message }, 'could not start');
    process.exit(1);
  });
}
