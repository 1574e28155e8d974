import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { randomBytes } from 'crypto';
import pino, { type Logger } from 'pino';
import type { DirectLineChannel } from '../directline/mountDirectLine';

export const TOKEN_PATH = '/api/directline/token';
export const AZURE_DIRECT_LINE_ENDPOINT = 'https://directline.botframework.com';
/** Azure operated by 21Vianet (China). */
export const AZURE_CHINA_DIRECT_LINE_ENDPOINT = 'https://directline.botframework.azure.cn';
const AZURE_TIMEOUT_MS = 10_000;
const DEFAULT_TOKENS_PER_MINUTE = 60;

/** What the page gets: a token for one new conversation and where to use it. Never a secret. */
export interface PageToken {
  token: string;
  conversationId: string;
  expires_in: number;
  /** Direct Line domain for Web Chat, e.g. https://directline.botframework.com/v3/directline. */
  domain: string;
}

export interface TokenRouteOptions {
  /** The self-hosted Direct Line (mountDirectLine); used unless an Azure Direct Line secret is configured. */
  directLine?: DirectLineChannel;
  /** Azure Direct Line channel secret; default DIRECT_LINE_SECRET. When set, tokens come from Azure. */
  directLineSecret?: string;
  /** Azure Direct Line endpoint; default DIRECT_LINE_ENDPOINT, else https://directline.botframework.com. */
  directLineEndpoint?: string;
  /** Other sites allowed to embed the widget (origins, or '*'); default WEBCHAT_ALLOWED_ORIGINS (comma-separated). Same origin is always allowed. */
  allowedOrigins?: string[] | '*';
  /** Public origin of this server; default PUBLIC_BASE_URL. */
  publicBaseUrl?: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
  /** New conversations one client address may start per minute; default WEBCHAT_TOKENS_PER_MINUTE, else 60; 0: no limit. */
  tokensPerMinute?: number;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export type TokenMode = { mode: 'azure'; endpoint: string } | { mode: 'self-hosted' };

class TokenServiceError extends Error {}

/** The endpoint without a trailing slash or /v3/directline, so either spelling of DIRECT_LINE_ENDPOINT works. */
export function normalizeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`DIRECT_LINE_ENDPOINT must be an http(s) URL: ${endpoint}`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/v3\/directline$/i, '')}`;
}

/**
 * Each token starts a conversation kept in the state's storage: one client starting hundreds a second would push real
 * customers' conversations out of memory. Resuming an earlier conversation is not counted. Behind a reverse proxy,
 * TRUST_PROXY lets the client's own address be seen (otherwise every customer shares the proxy's).
 */
function newConversationLimit(options: TokenRouteOptions): RequestHandler {
  const env = options.env ?? process.env;
  const perMinute = options.tokensPerMinute ?? (env.WEBCHAT_TOKENS_PER_MINUTE ? Number(env.WEBCHAT_TOKENS_PER_MINUTE) : DEFAULT_TOKENS_PER_MINUTE);
  if (!Number.isFinite(perMinute) || perMinute < 0) throw new Error(`WEBCHAT_TOKENS_PER_MINUTE must be a number of tokens, 0 for no limit: ${env.WEBCHAT_TOKENS_PER_MINUTE}`);
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => (req.body as { resume?: unknown } | undefined)?.resume !== undefined,
    handler: (_req, res) => void res.status(429).json({ error: 'too many new conversations from this address; please try again in a minute' }),
  });
}

export function tokenMode(options: TokenRouteOptions): TokenMode {
  const env = options.env ?? process.env;
  const secret = options.directLineSecret ?? (env.DIRECT_LINE_SECRET || undefined);
  if (secret) return { mode: 'azure', endpoint: normalizeEndpoint(options.directLineEndpoint ?? (env.DIRECT_LINE_ENDPOINT || AZURE_DIRECT_LINE_ENDPOINT)) };
  return { mode: 'self-hosted' };
}

function allowedOriginsOf(options: TokenRouteOptions): string[] | '*' {
  if (options.allowedOrigins) return options.allowedOrigins;
  const list = (options.env ?? process.env).WEBCHAT_ALLOWED_ORIGINS ?? '';
  if (list.trim() === '*') return '*';
  return list.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
}

/** Exchanges the Azure Direct Line secret for a conversation token, server to server. */
async function azureToken(endpoint: string, secret: string, fetchImpl: typeof fetch, timeoutMs: number): Promise<PageToken> {
  let response: globalThis.Response;
  try {
    response = await fetchImpl(`${endpoint}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      // A user id embedded in the token: Web Chat uses it, and nobody on the page can post as someone else.
      body: JSON.stringify({ user: { id: `dl_${randomBytes(12).toString('base64url')}` } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new TokenServiceError(`Direct Line token service unreachable: ${(err as Error).name}`);
  }
  if (!response.ok) throw new TokenServiceError(`Direct Line token service answered ${response.status}`);
  const body = (await response.json().catch(() => undefined)) as Partial<PageToken> | undefined;
  if (!body || typeof body.token !== 'string' || typeof body.conversationId !== 'string') throw new TokenServiceError('Direct Line token service gave no token');
  return { token: body.token, conversationId: body.conversationId, expires_in: Number(body.expires_in) || 1800, domain: `${endpoint}/v3/directline` };
}

/**
 * POST /api/directline/token: a Direct Line token for one new conversation, so the page never holds a secret;
 * with { resume: <earlier token> } a fresh token for that token's conversation, if it is still stored (self-hosted only).
 * With DIRECT_LINE_SECRET the token comes from Azure Direct Line (DIRECT_LINE_ENDPOINT picks the cloud, e.g. Azure China);
 * otherwise from this server's own Direct Line.
 */
export function mountTokenRoute(app: Express, options: TokenRouteOptions): TokenMode {
  const env = options.env ?? process.env;
  const logger = options.logger ?? pino({ level: 'silent' });
  const mode = tokenMode(options);
  const secret = options.directLineSecret ?? (env.DIRECT_LINE_SECRET || undefined);
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? AZURE_TIMEOUT_MS;
  const origins = allowedOriginsOf(options);
  const publicBaseUrl = options.publicBaseUrl ?? (env.PUBLIC_BASE_URL || undefined);
  if (mode.mode === 'self-hosted' && !options.directLine) throw new Error('mountTokenRoute: no DIRECT_LINE_SECRET and no self-hosted Direct Line to issue tokens');

  /** Same-origin pages and listed embedding sites may ask; the answer says which origin may read it. */
  const originAllowed = (req: Request, res: Response): boolean => {
    const origin = req.header('origin');
    if (!origin) return true;
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    const own = host === req.get('host') || (!!publicBaseUrl && new URL(publicBaseUrl).host === host);
    if (own) return true;
    if (origins !== '*' && !origins.includes(origin)) return false;
    res.set({ 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Allow-Headers': 'Content-Type' });
    return true;
  };

  app.options(TOKEN_PATH, (req, res) => {
    res.status(originAllowed(req, res) ? 204 : 403).end();
  });
  app.post(TOKEN_PATH, express.json({ limit: '8kb' }), newConversationLimit(options), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!originAllowed(req, res)) {
      res.status(403).json({ error: 'this site may not embed the support widget (see WEBCHAT_ALLOWED_ORIGINS)' });
      return;
    }
    const resume = (req.body as { resume?: unknown } | undefined)?.resume;
    if (resume !== undefined && (typeof resume !== 'string' || resume.length > 4096)) {
      res.status(400).json({ error: 'resume must be an earlier token' });
      return;
    }
    try {
      if (resume !== undefined) {
        // Azure's tokens cannot be renewed once expired; a self-hosted one can while its conversation is stored.
        const resumed = mode.mode === 'self-hosted' ? await (options.directLine as DirectLineChannel).resumeToken(resume) : undefined;
        if (!resumed) {
          res.status(404).json({ error: 'that conversation cannot be resumed' });
          return;
        }
        res.status(200).json({ ...resumed, domain: (options.directLine as DirectLineChannel).domainFor(req) });
        return;
      }
      const answer: PageToken =
        mode.mode === 'azure'
          ? await azureToken(mode.endpoint, secret as string, fetchImpl, timeoutMs)
          : { ...(await (options.directLine as DirectLineChannel).generateToken()), domain: (options.directLine as DirectLineChannel).domainFor(req) };
      res.status(200).json(answer);
    } catch (err) {
      const upstream = err instanceof TokenServiceError;
      logger.error({ err: (err as Error).message, endpoint: mode.mode === 'azure' ? mode.endpoint : undefined }, 'could not get a Direct Line token');
      res.status(upstream ? 502 : 503).json({ error: 'the chat service is unavailable, please try again later' });
    }
  });
  app.use(TOKEN_PATH, (err: Error & { status?: number }, _req: Request, res: Response, next: (err: Error) => void) => {
    if (res.headersSent) return next(err);
    if (err.status === 413) return void res.status(413).json({ error: 'the request body is too large' });
    res.status(err.status && err.status < 500 ? err.status : 400).json({ error: 'the request body must be JSON: { "resume": "<token>" } or empty' });
  });
  return mode;
}
