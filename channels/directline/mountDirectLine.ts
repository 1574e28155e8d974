import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'http';
import type { Server as HttpsServer } from 'https';
import { createHash, randomBytes } from 'crypto';
import pino, { type Logger } from 'pino';
import type { Activity, Attachment, ChannelAccount, Middleware, TurnContext } from 'botbuilder';
import { DirectLineAdapter, CHANNEL_ID } from './directLineAdapter';
import {
  ConversationNotFoundError,
  DEFAULT_LIMITS,
  MemoryConversationStore,
  parseWatermark,
  type ConversationInfo,
  type ConversationStore,
  type StoreLimits,
} from './conversationStore';
import { clientActivityProblem, isLocale, MAX_ATTACHMENTS, startProblem } from './activityValidation';
import { readUpload, thumbnailsOf, UploadError } from './upload';
import { StorageUnavailableError } from '../../storage/redisClient';
import { cutText } from '../../bots/activityValidation';
import { maskCertNumbers } from '../../answers/certNumber';
import { sameSecret, TokenService, type TokenClaims } from './tokens';
import { StreamServer } from './webSocket';

export const DIRECT_LINE_PATH = '/v3/directline';
export const DEFAULT_TOKEN_TTL_SECONDS = 30 * 60;
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** A streamUrl's ticket only has to last until the client opens the socket; reconnects fetch a fresh streamUrl. */
const STREAM_TICKET_TTL_SECONDS = 5 * 60;
/** Uploaded files kept in the transcript as data: URLs up to this size (Web Chat shows them again after a reload); larger ones by name only. */
const TRANSCRIPT_FILE_MAX_BYTES = 512 * 1024;
/** An image without a client's thumbnail is shown by its own data: URL (kept twice) only up to this size. */
const OWN_THUMBNAIL_MAX_CHARS = 96 * 1024;
const SWEEP_INTERVAL_MS = 60_000;
const USER_ID = /^[\w.:@-]{1,64}$/;

export interface DirectLineOptions {
  runBot: (context: TurnContext) => Promise<void>;
  middleware: Middleware[];
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  /** Where conversations live (createConversationStore: Redis when the bot's state is in Redis); default in memory. */
  store?: ConversationStore;
  /** Signs tokens (≥ 32 characters); default DIRECT_LINE_TOKEN_SECRET, else a key kept in the store. */
  tokenSecret?: string;
  /**
   * Lets a server (never a page) call tokens/generate and start conversations, as Azure's Direct Line secret does;
   * default DIRECTLINE_API_SECRET. Without one, tokens come only from generateToken() (POST /api/directline/token).
   */
  apiSecret?: string;
  /** Public origin of this server (https://bot.example.com, with a path if a proxy adds one); default PUBLIC_BASE_URL, else from the request. */
  publicBaseUrl?: string;
  /** Token lifetime from issue (expires_in); default DIRECT_LINE_TOKEN_TTL_SECONDS, else 1800. */
  tokenTtlSeconds?: number;
  /** Largest upload (all files of one message); default ATTACHMENT_MAX_BYTES, else 10 MiB. */
  attachmentMaxBytes?: number;
  /** Limits of the default in-memory store. */
  limits?: Partial<StoreLimits>;
  bot?: { id: string; name: string };
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export interface ConversationToken {
  conversationId: string;
  token: string;
  expires_in: number;
}

/** The mounted self-hosted Direct Line. */
export interface DirectLineChannel {
  adapter: DirectLineAdapter;
  store: ConversationStore;
  /** The token service, once its key is known (DIRECT_LINE_TOKEN_SECRET or the store's). */
  tokens(): Promise<TokenService>;
  /** A token for one new conversation (the conversation starts when the client calls POST /conversations). */
  generateToken(user?: { id?: string }): Promise<ConversationToken>;
  /**
   * A fresh token for the conversation of an earlier one (expired or not, but signed here) while the conversation is
   * still stored; undefined otherwise. The page's token route uses it to resume after a reload or a long absence.
   */
  resumeToken(token: string): Promise<ConversationToken | undefined>;
  /** The Direct Line domain a client should use, e.g. https://bot.example.com/v3/directline. */
  domainFor(req: Request): string;
  /** Hooks the WebSocket streams onto a listening server's 'upgrade' event. */
  attachWebSocket(server: Server | HttpsServer): void;
  /** Stops the sweeper and closes every stream. */
  close(): Promise<void>;
}

type ErrorCode = 'BadArgument' | 'Unauthorized' | 'TokenExpired' | 'Forbidden' | 'NotFound' | 'BotError' | 'ServiceUnavailable' | 'MessageSizeTooBig';

function fail(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function newId(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function bearer(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
  return match?.[1];
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function positiveInt(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Express 4 does not catch a rejected async handler: pass its error on to the router's error handler. */
function handle(fn: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
}

/**
 * A self-hosted Direct Line 3.0 API under /v3/directline, enough for Web Chat's DirectLineJS: conversations, tokens
 * (generate, refresh), activities over REST and over a WebSocket stream, file uploads. The bot runs in this process
 * through DirectLineAdapter with the given middleware. Call attachWebSocket(server) once the app listens.
 */
export function mountDirectLine(app: Express, options: DirectLineOptions): DirectLineChannel {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const ttl = options.tokenTtlSeconds ?? positiveInt(env.DIRECT_LINE_TOKEN_TTL_SECONDS) ?? DEFAULT_TOKEN_TTL_SECONDS;
  const attachmentMaxBytes = options.attachmentMaxBytes ?? positiveInt(env.ATTACHMENT_MAX_BYTES) ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  const apiSecret = options.apiSecret ?? (env.DIRECTLINE_API_SECRET || undefined);
  const publicBaseUrl = (options.publicBaseUrl ?? (env.PUBLIC_BASE_URL || undefined))?.replace(/\/+$/, '');
  const tokenSecret = options.tokenSecret ?? (env.DIRECT_LINE_TOKEN_SECRET || undefined);
  if (tokenSecret !== undefined && tokenSecret.length < 32) throw new Error('DIRECT_LINE_TOKEN_SECRET must be at least 32 characters');
  const store = options.store ?? new MemoryConversationStore({ ...DEFAULT_LIMITS, ...options.limits }, now);
  let tokenService: Promise<TokenService> | undefined;
  const tokens = (): Promise<TokenService> => {
    // The store's key is read once; a failed read (Redis down at start) is retried on the next request.
    tokenService ??= (tokenSecret ? Promise.resolve(tokenSecret) : store.signingKey()).then((key) => new TokenService(key, now));
    tokenService.catch(() => (tokenService = undefined));
    return tokenService;
  };
  const bot: ChannelAccount = { id: options.bot?.id ?? 'bot', name: options.bot?.name ?? 'Bot', role: 'bot' };
  const adapter = new DirectLineAdapter(store, bot);
  for (const m of options.middleware) adapter.use(m);
  if (options.onTurnError) adapter.onTurnError = options.onTurnError;
  const streams = new StreamServer(store, tokens, logger, DIRECT_LINE_PATH);
  const sweeper =
    store instanceof MemoryConversationStore
      ? setInterval(() => {
          const forgotten = store.sweep();
          if (forgotten) logger.debug({ forgotten, kept: store.size }, 'Direct Line: idle conversations forgotten');
        }, SWEEP_INTERVAL_MS)
      : undefined;
  sweeper?.unref();

  const baseUrl = (req: Request) => publicBaseUrl ?? `${req.protocol}://${req.get('host')}`;
  const domainFor = (req: Request) => `${baseUrl(req)}${DIRECT_LINE_PATH}`;
  const streamUrl = async (req: Request, claims: Pick<TokenClaims, 'conv' | 'user'>, watermark?: number) => {
    const ticket = (await tokens()).sign({ conv: claims.conv, user: claims.user, scope: 'stream' }, STREAM_TICKET_TTL_SECONDS);
    const ws = domainFor(req).replace(/^http/i, 'ws');
    return `${ws}/conversations/${encodeURIComponent(claims.conv)}/stream?t=${ticket}${watermark !== undefined ? `&watermark=${watermark}` : ''}`;
  };
  const issue = async (conv: string, user: string): Promise<ConversationToken> => ({ conversationId: conv, token: (await tokens()).sign({ conv, user }, ttl), expires_in: ttl });
  const generateToken = (user: { id?: string } = {}): Promise<ConversationToken> => issue(newId(16), user.id && USER_ID.test(user.id) ? user.id : `dl_${newId(12)}`);
  const resumeToken = async (token: string): Promise<ConversationToken | undefined> => {
    const check = (await tokens()).verify(token);
    const claims = check.ok || check.reason === 'expired' ? check.claims : undefined;
    if (!claims || !(await store.touch(claims.conv))) return undefined;
    return issue(claims.conv, claims.user);
  };

  /**
   * The caller's token, or the answer Direct Line gives: 403 TokenExpired for an expired token (DirectLineJS then
   * reports ExpiredToken), 403 for another conversation's, 401 for a missing or malformed one.
   */
  const authorize = async (req: Request, res: Response, conversationId?: string): Promise<TokenClaims | undefined> => {
    const check = (await tokens()).verify(bearer(req));
    if (!check.ok) {
      if (check.reason === 'expired') fail(res, 403, 'TokenExpired', 'the token has expired; get a new one');
      else fail(res, 401, 'Unauthorized', check.reason === 'missing' ? 'an Authorization: Bearer <token> header is required' : 'the token is not valid');
      return undefined;
    }
    if (conversationId !== undefined && check.claims.conv !== conversationId) {
      fail(res, 403, 'Forbidden', 'the token is for another conversation');
      return undefined;
    }
    return check.claims;
  };
  const isApiSecret = (req: Request) => !!apiSecret && sameSecret(bearer(req) ?? '', apiSecret);

  const runTurn = async (activity: Partial<Activity>): Promise<boolean> => {
    try {
      await adapter.processActivity(activity, options.runBot);
      return true;
    } catch (err) {
      logger.error({ err: (err as Error).message, conversation: activity.conversation?.id }, 'Direct Line turn failed');
      return false;
    }
  };

  /** Stores a client's activity (typing is not stored), echoes it to its streams, runs the bot's turn, answers { id }. */
  const receive = async (req: Request, res: Response, conversation: ConversationInfo, claims: TokenClaims, a: Partial<Activity> & { localTimezone?: unknown }, files?: Attachment[]) => {
    const text = typeof a.text === 'string' ? cutText(a.text) : undefined;
    const from = withoutUndefined({ id: claims.user, name: typeof a.from?.name === 'string' ? a.from.name : conversation.user.name, role: 'user' });
    const inbound: Partial<Activity> = withoutUndefined({
      type: a.type,
      channelId: CHANNEL_ID,
      serviceUrl: baseUrl(req),
      timestamp: new Date(now()).toISOString() as unknown as Date,
      localTimestamp: typeof a.localTimestamp === 'string' ? a.localTimestamp : undefined,
      localTimezone: typeof a.localTimezone === 'string' ? a.localTimezone : undefined,
      from,
      recipient: bot,
      conversation: { id: conversation.id } as Activity['conversation'],
      locale: a.locale ?? conversation.locale,
      // The transcript is kept (Redis, for the conversation's life) and shown again: a certificate number never whole.
      text: text === undefined ? undefined : maskCertNumbers(text),
      textFormat: a.textFormat,
      attachments: files ? files.map(forTranscript) : a.attachments ?? undefined,
      entities: a.entities ?? undefined,
      channelData: a.channelData ?? undefined,
      name: a.name ?? undefined,
      value: a.value,
      replyToId: a.replyToId ?? undefined,
    } as Partial<Activity>);
    // The sender's own activity comes back on its stream (Web Chat marks the message as sent when it sees the echo).
    // A client's retry (same clientActivityID) keeps one copy in the transcript: its id is derived from that id.
    const clientId = (a.channelData as { clientActivityID?: unknown } | undefined)?.clientActivityID;
    const keptOnce = typeof clientId === 'string' && clientId !== '';
    if (keptOnce) inbound.id = `${conversation.id}|c${createHash('sha256').update(clientId).digest('base64url').slice(0, 22)}`;
    const echoed = a.type === 'typing' ? { ...inbound, id: `${conversation.id}|typing` } : await store.append(conversation.id, inbound, { once: keptOnce });
    // The bot gets its own copy (handlers edit context.activity, the transcript must not change), with the text and files whole.
    const forBot = JSON.parse(JSON.stringify(echoed)) as Partial<Activity>;
    if (text !== undefined) forBot.text = text;
    if (files) forBot.attachments = files.map(({ thumbnailUrl: _shownOnly, ...file }) => file);
    if (!(await runTurn(forBot))) {
      fail(res, 502, 'BotError', 'the bot could not process the activity');
      return;
    }
    res.status(200).json({ id: echoed.id });
  };

  const router = express.Router();
  router.use((req, res, next) => {
    // Bearer tokens, no cookies: any origin may call with any header (DirectLineJS's ajax adds X-Requested-With),
    // which lets the widget live on another site.
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': req.header('access-control-request-headers') || 'Authorization, Content-Type, Accept, X-Requested-With, x-ms-bot-agent',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Max-Age': '600',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  router.use(express.json({ limit: '256kb' }));

  router.post('/tokens/generate', handle(async (req, res) => {
    if (!isApiSecret(req)) {
      fail(res, 401, 'Unauthorized', 'tokens/generate needs the Direct Line API secret; web pages get tokens from POST /api/directline/token');
      return;
    }
    const userId = (req.body as { user?: { id?: unknown } } | undefined)?.user?.id;
    if (userId !== undefined && (typeof userId !== 'string' || !USER_ID.test(userId))) {
      fail(res, 400, 'BadArgument', 'user.id must be 1-64 letters, digits or . : @ _ -');
      return;
    }
    res.status(200).json(await generateToken({ id: userId as string | undefined }));
  }));

  router.post('/tokens/refresh', handle(async (req, res) => {
    const claims = await authorize(req, res);
    if (!claims) return;
    if (!(await store.touch(claims.conv))) {
      fail(res, 404, 'NotFound', 'conversation not found (ended or expired)');
      return;
    }
    res.status(200).json(await issue(claims.conv, claims.user));
  }));

  router.post('/conversations', handle(async (req, res) => {
    let claims: TokenClaims | undefined;
    let token = bearer(req) ?? '';
    if (isApiSecret(req)) {
      const issued = await generateToken();
      token = issued.token;
      claims = ((await tokens()).verify(token) as { claims: TokenClaims }).claims;
    } else {
      claims = await authorize(req, res);
      if (!claims) return;
    }
    const problem = startProblem(req.body);
    if (problem) {
      fail(res, 400, 'BadArgument', problem);
      return;
    }
    const body = (req.body ?? {}) as { locale?: string; user?: { name?: unknown } };
    const locale = isLocale(body.locale) ? body.locale : undefined;
    const name = typeof body.user?.name === 'string' ? body.user.name.slice(0, 256) : undefined;
    const user = withoutUndefined({ id: claims.user, name });
    const { conversation, created } = await store.open(withoutUndefined({ id: claims.conv, user, locale }));
    if (created) {
      // The bot hears of the new conversation before the client can read it, so its welcome is the first thing shown.
      await runTurn(
        withoutUndefined({
          type: 'conversationUpdate',
          id: `${conversation.id}|start`,
          channelId: CHANNEL_ID,
          serviceUrl: baseUrl(req),
          timestamp: new Date(now()).toISOString() as unknown as Date,
          from: { ...user, role: 'user' },
          recipient: bot,
          conversation: { id: conversation.id } as Activity['conversation'],
          membersAdded: [bot, user],
          locale,
        } as Partial<Activity>),
      );
    }
    res.status(created ? 201 : 200).json({
      conversationId: conversation.id,
      token,
      expires_in: (await tokens()).secondsLeft(claims),
      streamUrl: await streamUrl(req, claims),
    });
  }));

  /** The caller's claims and watermark for a live conversation it may read, or undefined once the error is answered. */
  const openConversation = async (req: Request, res: Response): Promise<{ claims: TokenClaims; watermark: number | undefined } | undefined> => {
    const claims = await authorize(req, res, req.params.id);
    if (!claims) return undefined;
    const watermark = parseWatermark(req.query.watermark);
    if (watermark === null) {
      fail(res, 400, 'BadArgument', 'watermark must be a number from an earlier answer');
      return undefined;
    }
    if (!(await store.touch(claims.conv))) {
      fail(res, 404, 'NotFound', 'conversation not found (ended or expired)');
      return undefined;
    }
    return { claims, watermark };
  };

  router.get('/conversations/:id', handle(async (req, res) => {
    const open = await openConversation(req, res);
    if (!open) return;
    const { claims, watermark } = open;
    res.status(200).json({
      conversationId: claims.conv,
      token: bearer(req),
      expires_in: (await tokens()).secondsLeft(claims),
      streamUrl: await streamUrl(req, claims, watermark),
    });
  }));

  router.get('/conversations/:id/activities', handle(async (req, res) => {
    const open = await openConversation(req, res);
    if (!open) return;
    res.status(200).json(await store.after(open.claims.conv, open.watermark));
  }));

  /** The claims and conversation a client may post to, or undefined once the error is answered. */
  const postable = async (req: Request, res: Response): Promise<{ claims: TokenClaims; conversation: ConversationInfo } | undefined> => {
    const claims = await authorize(req, res, req.params.id);
    if (!claims) return undefined;
    const conversation = await store.touch(claims.conv);
    if (!conversation) {
      fail(res, 404, 'NotFound', 'conversation not found: start it with POST /v3/directline/conversations');
      return undefined;
    }
    return { claims, conversation };
  };

  router.post('/conversations/:id/activities', handle(async (req, res) => {
    const problem = clientActivityProblem(req.body);
    const target = await postable(req, res);
    if (!target) return;
    if (problem) {
      fail(res, 400, 'BadArgument', `invalid activity: ${problem}`);
      return;
    }
    await receive(req, res, target.conversation, target.claims, req.body as Partial<Activity>);
  }));

  router.post('/conversations/:id/upload', handle(async (req, res) => {
    const target = await postable(req, res);
    if (!target) {
      req.resume();
      return;
    }
    let upload;
    try {
      upload = await readUpload(req, { maxBytes: attachmentMaxBytes, maxFiles: MAX_ATTACHMENTS });
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      res.set('Connection', 'close');
      fail(res, err.status, err.status === 413 ? 'MessageSizeTooBig' : 'BadArgument', err.message);
      return;
    }
    // The activity part describes the files (names, content types) without their bytes; the files replace that list.
    const template = { type: 'message', ...(upload.activity as object | undefined), attachments: undefined };
    const problem = template.type === 'message' ? clientActivityProblem(template) : 'an upload carries a message activity';
    if (problem) {
      fail(res, 400, 'BadArgument', `invalid activity: ${problem}`);
      return;
    }
    const thumbnails = thumbnailsOf(upload.activity);
    const files: Attachment[] = upload.files.map((f) => ({
      contentType: f.contentType,
      name: f.name,
      contentUrl: `data:${f.contentType};base64,${f.bytes.toString('base64')}`,
      ...(thumbnails.has(f.name) ? { thumbnailUrl: thumbnails.get(f.name) } : {}),
    }));
    await receive(req, res, target.conversation, target.claims, template as Partial<Activity>, files);
  }));

  router.use((_req, res) => fail(res, 404, 'NotFound', 'no such Direct Line operation'));
  router.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.parse.failed') return fail(res, 400, 'BadArgument', 'the body is not valid JSON');
    if (err.type === 'entity.too.large') return fail(res, 413, 'MessageSizeTooBig', 'the body is too large');
    // The body parser's own messages quote request headers: the client gets a fixed one.
    if (err.status === 415) return fail(res, 415, 'BadArgument', "the body's content type, charset or encoding is not supported (send UTF-8 JSON)");
    if (err.status && err.status >= 400 && err.status < 500) return fail(res, err.status, 'BadArgument', "the body's encoding or length is not valid");
    if (err instanceof StorageUnavailableError) {
      logger.warn({ err: err.message }, 'Direct Line storage unavailable');
      return fail(res, 503, 'ServiceUnavailable', 'the chat service is unavailable, please retry shortly');
    }
    if (err instanceof ConversationNotFoundError) return fail(res, 404, 'NotFound', 'conversation not found (ended or expired)');
    logger.error({ err: err.message }, 'Direct Line request failed');
    fail(res, 500, 'BotError', 'internal error');
  });
  app.use(DIRECT_LINE_PATH, router);

  return {
    adapter,
    store,
    tokens,
    generateToken,
    resumeToken,
    domainFor,
    attachWebSocket: (server) => streams.attach(server),
    close: async () => {
      if (sweeper) clearInterval(sweeper);
      await store.close('server shutting down');
      await streams.close();
    },
  };
}

/**
 * What the transcript keeps of an uploaded file: the file itself while small, else its name and type only. Web Chat
 * shows a customer's own attachment as a picture only when it has a thumbnailUrl (else as a file card): an image keeps
 * the thumbnail its client drew, or, small enough, is its own thumbnail.
 */
function forTranscript(file: Attachment): Attachment {
  const url = file.contentUrl ?? '';
  const image = /^image\//.test(file.contentType);
  const thumbnailUrl = file.thumbnailUrl ?? (image && url.length <= OWN_THUMBNAIL_MAX_CHARS ? url : undefined);
  if (url.length <= TRANSCRIPT_FILE_MAX_BYTES * 1.4) return { ...file, ...(image && thumbnailUrl ? { thumbnailUrl } : {}) };
  return image && thumbnailUrl ? { contentType: file.contentType, name: file.name, thumbnailUrl } : { contentType: 'application/octet-stream', name: file.name };
}

/** Hooks a Direct Line's WebSocket streams onto a server: call it with the server app.listen() returned. */
export function attachDirectLineWebSocket(server: Server | HttpsServer, directLine: DirectLineChannel): void {
  directLine.attachWebSocket(server);
}
