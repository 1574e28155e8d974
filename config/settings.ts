import { hostList } from '../net/outbound';

/** Process configuration from the environment, read once; every variable is documented in the README. */
export interface Settings {
  port: number;
  /** Conversation ids (DingTalk conversationId, Teams conversation/channel/team ids) whose users are support agents. */
  agentConversations: Set<string>;
  attachmentMaxBytes: number;
  attachmentTimeoutMs: number;
  /** Hosts attachments are downloaded from (data: URLs need none). */
  attachmentHosts: string[];
  /** What every outbound request may reach beyond public https hosts. */
  outbound: { privateNetworks: string[]; allowHttp: boolean };
  /** Hosts replies may be posted to as a Bot Framework serviceUrl; unset: any public host. */
  serviceUrlHosts?: string[];
  /** Time for one request to the channel's serviceUrl. */
  connectorTimeoutMs: number;
  logLevel: string;
  /** DingTalk robot app secret: signs HTTP-mode callbacks. */
  dingTalkAppSecret?: string;
  /** Hosts a callback's sessionWebhook may point at. */
  dingTalkWebhookHosts: string[];
  /** Largest difference between a callback's signed timestamp and this server's clock. */
  dingTalkMaxSkewMs: number;
  /** DingTalk's open API (access token, robot file download). */
  dingTalkApiBase: string;
  /** App credentials for DingTalk's file download; pictures are checked only when set. */
  dingTalkFiles?: { appKey: string; appSecret: string; robotCode: string };
  /** DingTalk stream mode credentials; when both are set the bot also listens on DingTalk's long connection. */
  dingTalkStream?: { clientId: string; clientSecret: string };
  /** No MicrosoftAppId: only local connectors can be answered (loopback over http allowed for them). */
  localDevelopment: boolean;
  /** Bearer token /metrics and the detailed /health need; unset: both open. */
  metricsToken?: string;
  handoff: HandoffSettings;
  /** Bearer token for GET /admin/report; unset: the report answers 401 to everyone. */
  adminToken?: string;
  /** How long recorded traffic (answers, feedback, what the bot could not answer) is kept. */
  trafficTtlSeconds: number;
  /** Express's `trust proxy` (TRUST_PROXY): which proxies' X-Forwarded-For tells the client's address; unset: none. */
  trustProxy?: boolean | number | string;
}

export interface HandoffSettings {
  /** The agents' DingTalk group robot webhook (operator configuration, used as configured). */
  dingTalkWebhook?: string;
  /** Its 加签 secret: posts carry timestamp and sign query parameters. */
  dingTalkSecret?: string;
  /** The agents' group conversationId: its `#<n> text` messages are relayed to the customer of case n. */
  dingTalkConversation?: string;
  /** The agents' Teams channel: cases are posted to this conversation reference, its `#<n> text` messages relayed. */
  teamsConversation?: TeamsDeskReference;
  /** With no agent's reply within this time, the customer is told and may leave a message on the case. */
  timeoutSeconds: number;
  /** How long a case (its masked transcript included) is kept. */
  caseTtlSeconds: number;
}

/** What a proactive post to a Teams channel needs: the channel's conversation id, the serviceUrl, the tenant. */
export interface TeamsDeskReference {
  channelId: 'msteams';
  serviceUrl: string;
  conversation: { id: string; conversationType: string; isGroup: boolean; tenantId?: string };
  bot?: { id: string; name: string };
}

/**
 * HANDOFF_TEAMS_CONVERSATION: a conversation reference as JSON (as the Bot Framework keeps one), or the channel's
 * conversation id with HANDOFF_TEAMS_SERVICE_URL and HANDOFF_TEAMS_TENANT_ID. A value that is neither stops the start:
 * an operator's typo must not leave cases going nowhere.
 */
export function teamsDeskReference(env: NodeJS.ProcessEnv): TeamsDeskReference | undefined {
  const value = env.HANDOFF_TEAMS_CONVERSATION?.trim();
  if (!value) return undefined;
  let parsed: { serviceUrl?: unknown; conversation?: { id?: unknown; tenantId?: unknown; conversationType?: unknown }; bot?: { id?: unknown; name?: unknown } };
  if (value.startsWith('{')) {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new Error('HANDOFF_TEAMS_CONVERSATION is not valid JSON');
    }
  } else {
    parsed = { serviceUrl: env.HANDOFF_TEAMS_SERVICE_URL, conversation: { id: value, tenantId: env.HANDOFF_TEAMS_TENANT_ID || undefined } };
  }
  const id = parsed.conversation?.id;
  const serviceUrl = parsed.serviceUrl;
  if (typeof id !== 'string' || !id) throw new Error('HANDOFF_TEAMS_CONVERSATION needs the conversation id');
  if (typeof serviceUrl !== 'string' || !/^https?:\/\//.test(serviceUrl)) throw new Error('HANDOFF_TEAMS_CONVERSATION needs a serviceUrl (in the JSON, or HANDOFF_TEAMS_SERVICE_URL)');
  const tenantId = typeof parsed.conversation?.tenantId === 'string' && parsed.conversation.tenantId ? parsed.conversation.tenantId : undefined;
  const bot = typeof parsed.bot?.id === 'string' ? { id: parsed.bot.id, name: typeof parsed.bot.name === 'string' ? parsed.bot.name : '' } : undefined;
  // A channel unless the reference says otherwise (a group chat may be the desk too).
  const conversationType = typeof parsed.conversation?.conversationType === 'string' && parsed.conversation.conversationType ? parsed.conversation.conversationType : 'channel';
  return { channelId: 'msteams', serviceUrl, conversation: { id, conversationType, isGroup: true, ...(tenantId ? { tenantId } : {}) }, ...(bot ? { bot } : {}) };
}

/** Bot Framework, Teams and DingTalk attachment hosts. */
export const DEFAULT_ATTACHMENT_HOSTS = ['.botframework.com', '.asm.skype.com', 'smba.trafficmanager.net', '.sharepoint.com', '.dingtalk.com'];
export const DEFAULT_DINGTALK_WEBHOOK_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com'];
/**
 * DingTalk accepts callbacks for an hour, but it delivers them within seconds, and its signature covers only the
 * timestamp: every minute accepted is a minute in which a captured header pair signs any body. One minute leaves
 * room for clock drift and delivery; a replay inside it is refused by its msgId.
 */
export const DEFAULT_DINGTALK_MAX_SKEW_SECONDS = 60;

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const dingTalkAppKey = env.DINGTALK_APP_KEY || env.DINGTALK_CLIENT_ID;
  const dingTalkSecret = env.DINGTALK_APP_SECRET || env.DINGTALK_CLIENT_SECRET;
  return {
    port: positiveInt(env.PORT, 3978),
    agentConversations: new Set(list(env.AGENT_CONVERSATIONS)),
    attachmentMaxBytes: positiveInt(env.ATTACHMENT_MAX_BYTES, 10 * 1024 * 1024),
    attachmentTimeoutMs: positiveInt(env.ATTACHMENT_TIMEOUT_MS, 5000),
    attachmentHosts: hostList(env.ATTACHMENT_HOSTS, DEFAULT_ATTACHMENT_HOSTS),
    outbound: { privateNetworks: list(env.OUTBOUND_PRIVATE_NETWORKS), allowHttp: env.OUTBOUND_ALLOW_HTTP === 'true' },
    serviceUrlHosts: env.SERVICE_URL_HOSTS ? hostList(env.SERVICE_URL_HOSTS, []) : undefined,
    connectorTimeoutMs: positiveInt(env.CONNECTOR_TIMEOUT_MS, 3000),
    logLevel: env.LOG_LEVEL ?? 'info',
    dingTalkAppSecret: env.DINGTALK_APP_SECRET || undefined,
    dingTalkWebhookHosts: hostList(env.DINGTALK_WEBHOOK_HOSTS, DEFAULT_DINGTALK_WEBHOOK_HOSTS),
    dingTalkMaxSkewMs: positiveInt(env.DINGTALK_MAX_SKEW_SECONDS, DEFAULT_DINGTALK_MAX_SKEW_SECONDS) * 1000,
    dingTalkApiBase: (env.DINGTALK_API_BASE || 'https://api.dingtalk.com').replace(/\/+$/, ''),
    dingTalkFiles:
      dingTalkAppKey && dingTalkSecret ? { appKey: dingTalkAppKey, appSecret: dingTalkSecret, robotCode: env.DINGTALK_ROBOT_CODE || dingTalkAppKey } : undefined,
    dingTalkStream:
      env.DINGTALK_CLIENT_ID && env.DINGTALK_CLIENT_SECRET ? { clientId: env.DINGTALK_CLIENT_ID, clientSecret: env.DINGTALK_CLIENT_SECRET } : undefined,
    localDevelopment: !env.MicrosoftAppId,
    metricsToken: env.METRICS_TOKEN || undefined,
    handoff: {
      dingTalkWebhook: env.HANDOFF_DINGTALK_WEBHOOK || undefined,
      dingTalkSecret: env.HANDOFF_DINGTALK_SECRET || undefined,
      dingTalkConversation: env.HANDOFF_DINGTALK_CONVERSATION || undefined,
      teamsConversation: teamsDeskReference(env),
      timeoutSeconds: positiveInt(env.HANDOFF_TIMEOUT_SECONDS, 300),
      caseTtlSeconds: positiveInt(env.HANDOFF_CASE_TTL_SECONDS, 7 * 24 * 60 * 60),
    },
    adminToken: env.ADMIN_TOKEN || undefined,
    trafficTtlSeconds: positiveInt(env.TRAFFIC_TTL_SECONDS, 90 * 24 * 60 * 60),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
  };
}

/** `true`, a number of hops, or addresses / names Express knows ("loopback", "10.0.0.0/8, 172.16.0.1"). */
function trustProxyOf(value: string | undefined): boolean | number | string | undefined {
  const v = value?.trim();
  if (!v || v === 'false') return undefined;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v;
}
