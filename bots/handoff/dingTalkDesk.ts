import type { Activity } from 'botbuilder';
import { signDingTalk } from '../../channels/dingtalk/signature';
import type { AgentDesk } from './agentDesk';

const POST_TIMEOUT_MS = 5000;
const TITLE_LENGTH = 30;

/**
 * The agents' DingTalk group robot (HANDOFF_DINGTALK_WEBHOOK): operator configuration, so its URL is used as
 * configured, with 加签 (timestamp and sign query parameters) when HANDOFF_DINGTALK_SECRET is set, a timeout and no
 * redirects. Kept apart from the channel's session-webhook replies, whose URLs come from callbacks.
 * The agents answer from the group's conversationId (HANDOFF_DINGTALK_CONVERSATION), in callbacks signed like any other.
 */
export class DingTalkDesk implements AgentDesk {
  readonly name = 'dingtalk';

  constructor(
    private readonly webhook: string,
    private readonly secret?: string,
    private readonly conversationId?: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  hears(activity: Partial<Activity>): boolean {
    return !!this.conversationId && activity.channelId === 'dingtalk' && activity.conversation?.id === this.conversationId;
  }

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
