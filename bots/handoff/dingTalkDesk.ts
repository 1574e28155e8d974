import { signDingTalk } from '../../channels/dingtalk/signature';

const POST_TIMEOUT_MS = 5000;
const TITLE_LENGTH = 30;

/** Where cases and customers' messages go for agents to read. */
export interface AgentDesk {
  post(markdown: string): Promise<void>;
}

/**
 * The agents' DingTalk group robot (HANDOFF_DINGTALK_WEBHOOK): operator configuration, so its URL is used as
 * configured, with 加签 (timestamp and sign query parameters) when HANDOFF_DINGTALK_SECRET is set, a timeout and no
 * redirects. Kept apart from the channel's session-webhook replies, whose URLs come from callbacks.
 */
export class DingTalkDesk implements AgentDesk {
  constructor(
    private readonly webhook: string,
    private readonly secret?: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async post(markdown: string): Promise<void> {
    const url = new URL(this.webhook);
    if (this.secret) {
      const timestamp = String(Date.now());
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('sign', signDingTalk(timestamp, this.secret));
    }
    const title = markdown.replace(/[*#`>\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, TITLE_LENGTH);
    const response = await this.fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text: markdown } }),
      redirect: 'manual',
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`agents' DingTalk webhook answered ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as { errcode?: unknown };
    if (body.errcode !== undefined && body.errcode !== 0) throw new Error(`agents' DingTalk webhook refused the post (errcode ${String(body.errcode).slice(0, 12)})`);
  }
}
