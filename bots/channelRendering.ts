import { ActivityTypes, CardFactory, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { layoutMarkdown } from './markdownLayout';

/**
 * Renders replies for the channel they go to; the only place that asks which channel this is.
 * Teams doesn't show suggested actions in every scope, so choices become a hero card; DingTalk buttons can't post back,
 * so choices become numbered lines the user answers with the number or the words. Markdown text is laid out for the
 * channel's renderer (layoutMarkdown). Every message carries the reply contract.
 */
export class ChannelRendering implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    context.onSendActivities(async (ctx, activities, send) => {
      for (const activity of activities) renderFor(ctx.activity.channelId, activity);
      return send();
    });
    await next();
  }
}

export function renderFor(channelId: string, activity: Partial<Activity>): void {
  if (activity.type !== ActivityTypes.Message) return;
  activity.channelData = { intent: 'none', score: 0, ...(activity.channelData ?? {}) };
  if (activity.textFormat === 'markdown' && activity.text) {
    activity.text = layoutMarkdown(activity.text, channelId === 'msteams' || channelId === 'dingtalk' ? 'paragraph' : 'hard');
  }
  const actions = activity.suggestedActions?.actions ?? [];
  if (!actions.length) return;
  if (channelId === 'msteams') {
    activity.attachments = [...(activity.attachments ?? []), CardFactory.heroCard('', undefined, actions)];
    delete activity.suggestedActions;
  } else if (channelId === 'dingtalk') {
    const lines = actions.map((a, i) => `${i + 1}. ${a.title}`).join('\n');
    activity.text = `${activity.text ?? ''}\n\n${lines}`.trim();
    delete activity.suggestedActions;
  }
}
