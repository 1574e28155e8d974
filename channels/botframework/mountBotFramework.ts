import express, { type Express } from 'express';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { validateIncomingActivity } from '../../bots/activityValidation';

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;
type ConnectorFactory = NonNullable<AuthenticateRequestResult['connectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** Reply clients kept: one per bot app id, service URL and audience, which are few. */
const CONNECTOR_CLIENTS_KEPT = 64;

/** Longest wait for a token check (the OpenID key endpoint may hang): past it the request is unverifiable, so 401. */
const AUTH_TIMEOUT_MS = 5000;

/**
 * CloudAdapter with authentication and processing as two steps, so that every failure to verify a token is a 401
 * and no response ever carries an error message (CloudAdapter.process answers 500 with the error's text).
 */
export class BotFrameworkAdapter extends CloudAdapter {
  private readonly connectorClients = new LRUCache<string, Promise<ConnectorClient>>({ max: CONNECTOR_CLIENTS_KEPT });

  constructor(private readonly auth: ConfigurationBotFrameworkAuthentication) {
    super(auth);
  }

  async authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('token check timed out')), AUTH_TIMEOUT_MS);
    });
    const result = await Promise.race([this.auth.authenticateRequest(activity, authHeader), timeout]).finally(() => clearTimeout(timer));
    return result.connectorFactory ? { ...result, connectorFactory: this.reusedConnectors(result, result.connectorFactory) } : result;
  }

  /**
   * botbuilder builds a new ConnectorClient (credentials and an Azure request pipeline of a dozen policies, ~25 KB)
   * for every turn; the client holds nothing of the turn, so one per app id, service URL and audience serves every
   * turn, as botbuilder's former BotFrameworkAdapter kept them. The app id is read from the claims as botbuilder's
   * own factory is given it (audience claim, else appid).
   */
  private reusedConnectors(result: AuthenticateRequestResult, inner: ConnectorFactory): ConnectorFactory {
    const appId = result.claimsIdentity.getClaimValue('aud') ?? result.claimsIdentity.getClaimValue('appid') ?? '';
    return {
      create: (serviceUrl: string, audience?: string) => {
        const key = `${appId}\n${serviceUrl}\n${audience ?? ''}`;
        let client = this.connectorClients.get(key);
        if (!client) {
          client = inner.create(serviceUrl, audience);
          this.connectorClients.set(key, client);
          // A client that could not be made (credentials unavailable) is asked for again on the next turn.
          client.catch(() => this.connectorClients.delete(key));
        }
        return client;
      },
    };
  }

  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(auth, activity, logic);
  }
}

const DATE_FIELDS = ['timestamp', 'localTimestamp', 'expiration'] as const;

/** POST /api/messages: Bot Framework channels (Teams, Azure Direct Line, the Emulator). */
export function mountBotFramework(
  app: Express,
  options: { adapter: BotFrameworkAdapter; runBot: (context: TurnContext) => Promise<void>; logger: Logger },
): void {
  app.post('/api/messages', express.json({ limit: '1mb' }), validateIncomingActivity, async (req, res) => {
    const activity = req.body as Activity;
    // As botbuilder's own validateAndFixActivity does: dates arrive as (already validated) strings.
    for (const field of DATE_FIELDS) if (typeof activity[field] === 'string') (activity as unknown as Record<string, unknown>)[field] = new Date(activity[field] as unknown as string);
    const header = req.header('authorization') ?? '';
    let auth: AuthenticateRequestResult;
    try {
      auth = await options.adapter.authenticate(activity, header);
    } catch (err) {
      options.logger.info({ err: (err as Error).name }, 'Bot Framework token refused');
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    try {
      const invoke = await options.adapter.run(auth, activity, options.runBot);
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.json(invoke.body);
      else res.end();
    } catch (err) {
      options.logger.error({ err: (err as Error).message, name: (err as Error).name }, 'Bot Framework turn failed');
      if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    }
  });
}
