/** Process configuration from the environment, read once; every variable is documented in the README. */
export interface Settings {
  port: number;
  /** Conversation ids (DingTalk conversationId, Teams conversation/channel/team ids) whose users are support agents. */
  agentConversations: Set<string>;
  attachmentMaxBytes: number;
  attachmentTimeoutMs: number;
  logLevel: string;
  /** DingTalk robot app secret: signs HTTP-mode callbacks. */
  dingTalkAppSecret?: string;
  /** DingTalk stream mode credentials; when both are set the bot also listens on DingTalk's long connection. */
  dingTalkStream?: { clientId: string; clientSecret: string };
  handoff: HandoffSettings;
  /** Bearer token for GET /admin/report; unset: the report answers 401 to everyone. */
  adminToken?: string;
  /** How long recorded traffic (answers, feedback, what the bot could not answer) is kept. */
  trafficTtlSeconds: number;
}

export interface HandoffSettings {
  /** The agents' DingTalk group robot webhook (operator configuration, used as configured). */
  dingTalkWebhook?: string;
  /** Its 加签 secret: posts carry timestamp and sign query parameters. */
  dingTalkSecret?: string;
  /** The agents' group conversationId: its `#<n> text` messages are relayed to the customer of case n. */
  dingTalkConversation?: string;
  /** With no agent's reply within this time, the customer is told and may leave a message on the case. */
  timeoutSeconds: number;
  /** How long a case (its masked transcript included) is kept. */
  caseTtlSeconds: number;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    port: positiveInt(env.PORT, 3978),
    agentConversations: new Set(list(env.AGENT_CONVERSATIONS)),
    attachmentMaxBytes: positiveInt(env.ATTACHMENT_MAX_BYTES, 10 * 1024 * 1024),
    attachmentTimeoutMs: positiveInt(env.ATTACHMENT_TIMEOUT_MS, 5000),
    logLevel: env.LOG_LEVEL ?? 'info',
    dingTalkAppSecret: env.DINGTALK_APP_SECRET || undefined,
    dingTalkStream:
      env.DINGTALK_CLIENT_ID && env.DINGTALK_CLIENT_SECRET ? { clientId: env.DINGTALK_CLIENT_ID, clientSecret: env.DINGTALK_CLIENT_SECRET } : undefined,
    handoff: {
      dingTalkWebhook: env.HANDOFF_DINGTALK_WEBHOOK || undefined,
      dingTalkSecret: env.HANDOFF_DINGTALK_SECRET || undefined,
      dingTalkConversation: env.HANDOFF_DINGTALK_CONVERSATION || undefined,
      timeoutSeconds: positiveInt(env.HANDOFF_TIMEOUT_SECONDS, 300),
      caseTtlSeconds: positiveInt(env.HANDOFF_CASE_TTL_SECONDS, 7 * 24 * 60 * 60),
    },
    adminToken: env.ADMIN_TOKEN || undefined,
    trafficTtlSeconds: positiveInt(env.TRAFFIC_TTL_SECONDS, 90 * 24 * 60 * 60),
  };
}
