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
  };
}
