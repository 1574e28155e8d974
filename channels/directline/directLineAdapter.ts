import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { ConversationStore } from './conversationStore';

export const CHANNEL_ID = 'directline';

/** Longest pause a bot's "delay" activity may cause (the reply is held inside the turn). */
const MAX_DELAY_MS = 5000;

/**
 * Runs the bot in this process for the self-hosted Direct Line: what the bot sends is appended to the conversation's
 * transcript (with an id and a timestamp) and pushed to the conversation's open streams; updates and deletes act on
 * the transcript. Proactive messages (continueConversation) work while the conversation is still stored.
 */
export class DirectLineAdapter extends BotAdapter {
  constructor(
    private readonly store: ConversationStore,
    readonly bot: ChannelAccount = { id: 'bot', name: 'Bot', role: 'bot' },
  ) {
    super();
  }

  /** Runs one inbound activity through the middleware and the bot logic (errors go to onTurnError, as on other adapters). */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    await this.runMiddleware(context, logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        const ms = typeof activity.value === 'number' ? activity.value : 1000;
        await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_DELAY_MS)));
        responses.push({ id: '' });
        continue;
      }
      // Trace activities are for the Emulator and invoke responses go back in the HTTP answer; neither reaches the user.
      if (activity.type === ActivityTypes.Trace || activity.type === ActivityTypes.InvokeResponse) {
        responses.push({ id: '' });
        continue;
      }
      const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
      if (!conversationId) throw new Error('Direct Line: an outgoing activity has no conversation');
      const stored = await this.store.append(conversationId, this.outgoing(activity, conversationId));
      responses.push({ id: String(stored.id) });
    }
    return responses;
  }

  async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
    if (!conversationId || !activity.id) throw new Error('Direct Line: updateActivity needs the activity id and conversation');
    const stored = await this.store.update(conversationId, this.outgoing(activity, conversationId));
    return { id: String(stored.id) };
  }

  async deleteActivity(context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    const conversationId = reference.conversation?.id ?? context.activity.conversation?.id;
    if (!conversationId || !reference.activityId) throw new Error('Direct Line: deleteActivity needs the activity id and conversation');
    await this.store.delete(conversationId, reference.activityId);
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    // applyConversationReference gives it the id of the message the reference was taken from: as that message's copy,
    // the duplicate-activity middleware would drop it and the proactive message would never be sent.
    delete activity.id;
    await this.processActivity(activity, logic);
  }

  private outgoing(activity: Partial<Activity>, conversationId: string): Partial<Activity> {
    // Plain JSON: what is stored is exactly what GET and the stream return, and later edits by the bot can't reach it.
    const copy = JSON.parse(JSON.stringify(activity)) as Partial<Activity>;
    return {
      ...copy,
      channelId: CHANNEL_ID,
      conversation: { ...(copy.conversation ?? {}), id: conversationId } as Activity['conversation'],
      from: { ...this.bot, ...(copy.from ?? {}), role: 'bot' },
      timestamp: new Date().toISOString() as unknown as Date,
    };
  }
}
