import { ActivityTypes, TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { TeamsDeskReference } from '../../config/settings';
import type { AgentDesk } from './agentDesk';

/**
 * A Teams channel as the agents' desk (HANDOFF_TEAMS_CONVERSATION): cases are posted proactively to its conversation
 * reference through the Bot Framework adapter, and an agent's `@bot #<n> text` in that channel (any thread of it)
 * is relayed. That the message comes from Teams is what the Bot Framework token proves (with MicrosoftAppId set).
 *
 * The adapter given here must not run the turn queue: a case is posted from inside the customer's turn, while an
 * agent's turn in the desk delivers to the customer's conversation, and each waiting for the other would deadlock.
 */
export class TeamsDesk implements AgentDesk {
  readonly name = 'msteams';
  private readonly channelId: string;

  constructor(
    private readonly reference: TeamsDeskReference,
    private readonly adapter: Pick<CloudAdapter, 'continueConversationAsync'>,
    private readonly appId: string,
  ) {
    this.channelId = baseId(reference.conversation.id);
  }

  hears(activity: Partial<Activity>): boolean {
    if (activity.channelId !== 'msteams') return false;
    const data = activity.channelData as { channel?: { id?: unknown }; tenant?: { id?: unknown } } | undefined;
    const tenant = this.reference.conversation.tenantId;
    const fromTenant = data?.tenant?.id ?? activity.conversation?.tenantId;
    if (tenant && fromTenant !== tenant) return false;
    // A reply in a channel's thread has `;messageid=` after the channel's id; channelData.channel.id names the channel.
    return baseId(activity.conversation?.id ?? '') === this.channelId || data?.channel?.id === this.channelId;
  }

  async post(markdown: string): Promise<void> {
    const post: Partial<Activity> = {
      type: ActivityTypes.Message,
      text: markdown,
      textFormat: 'markdown',
      channelData: { intent: 'handoff.human', score: 1, handoff: true },
    };
    await this.adapter.continueConversationAsync(this.appId, this.reference as Partial<ConversationReference> as ConversationReference, async (context: TurnContext) => {
      await context.sendActivity(post);
    });
  }
}

function baseId(conversationId: string): string {
  return conversationId.split(';')[0];
}
