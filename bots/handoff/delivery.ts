import { ActivityTypes, TurnContext, type Activity, type CloudAdapter } from 'botbuilder';
import type { DingTalkAdapter } from '../../channels/dingtalk/dingTalkAdapter';
import type { DirectLineAdapter } from '../../channels/directline/directLineAdapter';
import type { HandoffCase } from '../../storage/handoffCases';
import { renderFor } from '../channelRendering';

/** Sends messages to a case's customer outside their own turn (an agent's reply, a notice). */
export interface CustomerDelivery {
  send(handoffCase: HandoffCase, activities: Partial<Activity>[]): Promise<void>;
}

export interface DeliveryChannels {
  /** Bot Framework channels (Teams, Azure Direct Line, Emulator): any process can post to the serviceUrl. */
  cloud: CloudAdapter;
  appId?: string;
  /** The self-hosted Direct Line: reaches the conversations this process holds. */
  directLine?: DirectLineAdapter;
  dingTalk?: DingTalkAdapter;
}

/** Proactive messages by the customer's channel, from the conversation reference kept on the case. */
export class ChannelDelivery implements CustomerDelivery {
  constructor(private readonly channels: DeliveryChannels) {}

  async send(handoffCase: HandoffCase, activities: Partial<Activity>[]): Promise<void> {
    const reference = handoffCase.reference;
    const sendAll = async (context: TurnContext) => {
      await context.sendActivities(activities);
    };
    switch (reference.channelId) {
      case 'dingtalk': {
        const session = handoffCase.dingTalkSession;
        if (!this.channels.dingTalk || !session) throw new Error('no DingTalk session for this case');
        // DingTalk robots answer only through the session webhook of the customer's last message, while it is valid.
        const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Message, channelData: session }, reference, true);
        for (const a of activities) renderFor({ channelId: 'dingtalk' }, a);
        await sendAll(new TurnContext(this.channels.dingTalk, activity));
        return;
      }
      case 'directline':
        if (!this.channels.directLine) throw new Error('no Direct Line here');
        await this.channels.directLine.continueConversation(reference, sendAll);
        return;
      default:
        await this.channels.cloud.continueConversationAsync(this.channels.appId ?? '', reference as Parameters<CloudAdapter['continueConversationAsync']>[1], sendAll);
    }
  }
}
