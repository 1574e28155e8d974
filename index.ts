import express, { type NextFunction, type Request, type Response } from 'express';
import { ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import { timingSafeEqual } from 'crypto';
import { readSettings, type Settings } from './config/settings';
import { createStorage } from './storage/createStorage';
import { createBot, createHandoffService, type BotOverrides } from './bots/createBot';
import { DingTalkDesk } from './bots/handoff/dingTalkDesk';
import { TeamsDesk } from './bots/handoff/teamsDesk';
import type { AgentDesk } from './bots/handoff/agentDesk';
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
import { loadUnderstanding } from './understanding';
import { OutboundError } from './net/outbound';
import { outboundPolicies } from './net/policies';
import { connectorClientOptions } from './net/connectorHttpClient';
import { BotFrameworkAdapter, mountBotFramework } from './channels/botframework/mountBotFramework';
import { mountDingTalk, startDingTalkStream } from './channels/dingtalk/mountDingTalk';
import { DingTalkFiles } from './channels/dingtalk/dingTalkFiles';
import { memorySeenMessages, redisSeenMessages } from './channels/dingtalk/seenMessages';
import { mountDirectLine } from './channels/directline/mountDirectLine';
import { createConversationStore } from './channels/directline/createConversationStore';
import { mountWebChat } from './channels/webchat/mountWebChat';
import { createLogger } from './config/logger';

export const logger = createLogger();

const STORAGE_FAILURE = /redis|connection|timed? ?out|econnrefused|writeable|stream isn't|storage/i;

/** Fixed bodies for the error statuses express and its body parser produce: never an error's own message. */
const ERROR_BODIES: Record<number, string> = { 400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 413: 'payload too large', 415: 'unsupported media type' };

/** Whether a request carries `Authorization: Bearer <token>` (compared in constant time). */
function hasBearer(req: Request, token: string): boolean {
  const given = Buffer.from(req.header('authorization') ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The HTTP server: POST /api/messages for Bot Framework channels, GET /health; channels mount beside it. */
export function createApp(settings: Settings = readSettings(), overrides: BotOverrides = {}) {
  const stateStore = createStorage(process.env, logger);
  // Hand-off cases and recorded traffic live beside the state (issue #13), so every process sees them.
  const { redis, config } = stateStore;
  const cases = redis ? new RedisCaseStore(redis, config.keyPrefix, settings.handoff.caseTtlSeconds) : new MemoryCaseStore(settings.handoff.caseTtlSeconds);
  const traffic = redis ? new RedisTrafficLog(redis, config.keyPrefix, settings.trafficTtlSeconds, overrides.now) : new MemoryTrafficLog(settings.trafficTtlSeconds, overrides.now);
  const policies = outboundPolicies(settings);
  // The whole environment, as botbuilder's samples pass it: MicrosoftApp* and its optional endpoint settings.
  const auth = new ConfigurationBotFrameworkAuthentication(
    process.env as Record<string, string>,
    undefined,
    undefined,
    undefined,
    connectorClientOptions(policies.connector),
  );
  const handoff = createHandoffService(
    {
      cases,
      desks: agentDesks(settings, auth),
      timeoutSeconds: settings.handoff.timeoutSeconds,
      logger,
      now: overrides.now,
    },
    overrides.today,
  );
  const bot = createBot(stateStore.storage, settings, overrides, { handoff, traffic });
  const metrics = new BotMetrics(loadUnderstanding().kb.byId.keys());
  const middleware = [metrics, stateStore.turnMiddleware, stateStore.duplicateMiddleware, new ChannelRendering(), handoff];

  const adapter = new BotFrameworkAdapter(auth);
  for (const m of middleware) adapter.use(m);
  adapter.onTurnError = (context, error) => onTurnError(context, error);

  const app = express();
  app.disable('x-powered-by');
  if (settings.trustProxy !== undefined) app.set('trust proxy', settings.trustProxy);
  const allowed = (req: Request) => !settings.metricsToken || hasBearer(req, settings.metricsToken);
  app.get('/health', async (req, res) => {
    const storage = await stateStore.health();
    const status = storage.reachable ? 'ok' : 'degraded';
    res.status(storage.reachable ? 200 : 503).json(allowed(req) ? { status, storage } : { status });
  });
  app.get('/metrics', async (req, res) => {
    if (!allowed(req)) {
      res.status(401).json({ error: ERROR_BODIES[401] });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const runBot = (context: TurnContext) => bot.run(context);
  mountBotFramework(app, { adapter, runBot, logger });
  const dingTalkOptions = {
    runBot,
    middleware,
    onTurnError,
    appSecret: settings.dingTalkAppSecret,
    maxSkewMs: settings.dingTalkMaxSkewMs,
    seen: stateStore.redis ? redisSeenMessages(stateStore.redis, stateStore.config.keyPrefix) : memorySeenMessages(),
    webhookPolicy: policies.dingTalkWebhook,
    files: settings.dingTalkFiles ? new DingTalkFiles(settings.dingTalkFiles, settings.dingTalkApiBase, policies.dingTalkApi) : undefined,
    logger,
  };
  const dingTalk = mountDingTalk(app, dingTalkOptions);
  const directLine = mountDirectLine(app, {
    runBot,
    middleware,
    onTurnError,
    logger,
    store: createConversationStore(stateStore),
    attachmentMaxBytes: settings.attachmentMaxBytes,
  });
  mountWebChat(app, { directLine, logger });
  handoff.useDelivery(new ChannelDelivery({ cloud: adapter, appId: process.env.MicrosoftAppId, directLine: directLine.adapter, dingTalk }));
  mountAdminReport(app, { token: settings.adminToken, traffic, now: overrides.now });
  // Express's own 404 is an HTML page quoting the path back.
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: ERROR_BODIES[404] }));
  app.use((err: Error & { status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status && ERROR_BODIES[err.status] ? err.status : 500;
    if (status === 500) logger.error({ err: err.message, name: err.name }, 'request failed');
    res.status(status).json({ error: ERROR_BODIES[status] ?? 'internal error' });
  });
  return { app, adapter, dingTalk, dingTalkOptions, directLine, bot, middleware, stateStore, handoff, traffic };
}

/** The configured agents' desks: the DingTalk group robot, a Teams channel, or both. */
function agentDesks(settings: Settings, auth: ConfigurationBotFrameworkAuthentication): AgentDesk[] {
  const { dingTalkWebhook, dingTalkSecret, dingTalkConversation, teamsConversation } = settings.handoff;
  const desks: AgentDesk[] = [];
  if (dingTalkWebhook) desks.push(new DingTalkDesk(dingTalkWebhook, dingTalkSecret, dingTalkConversation));
  if (teamsConversation) {
    // Its own adapter: rendering only, no turn queue (see TeamsDesk).
    const deskAdapter = new BotFrameworkAdapter(auth);
    deskAdapter.use(new ChannelRendering());
    desks.push(new TeamsDesk(teamsConversation, deskAdapter, process.env.MicrosoftAppId ?? ''));
  }
  return desks;
}

/** A failed turn still gets a reply in the user's language; a storage outage says "retry shortly". */
async function onTurnError(context: TurnContext, error: Error): Promise<void> {
  logger.error({ err: error.message, name: error.name, conversation: context.activity.conversation?.id }, 'turn failed');
  // The channel itself failed (timeout, refused, redirect): an error reply would wait on the same channel again.
  if (error instanceof OutboundError) return;
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
  const { app, stateStore, dingTalk, dingTalkOptions, directLine, handoff } = createApp(settings);
  const { model } = loadUnderstanding();
  if (model.origin === 'built') logger.warn({ file: model.file, reason: model.reason, saveError: model.saveError }, 'classifier model built at start (run npm run build to build it once)');
  const warmUpStarted = Date.now();
  await warmUp(settings);
  logger.info({ ms: Date.now() - warmUpStarted }, 'warmed up');
  if (settings.dingTalkStream) {
    startDingTalkStream(settings.dingTalkStream, dingTalk, dingTalkOptions).catch((err: Error) =>
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
