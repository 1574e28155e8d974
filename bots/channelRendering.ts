import { ActivityTypes, CardFactory, type Activity, type Mention, type Middleware, type TurnContext } from 'botbuilder';
import { isGroupConversation } from '../storage/stateKey';
import { renderScript, traditionalScriptOf } from './chineseScript';
import { layoutMarkdown } from './markdownLayout';

/**
 * Renders replies for the channel they go to; the only place that asks which channel this is. Chinese replies to a
 * message in traditional Chinese are written in traditional characters (chineseScript.ts).
 * Teams doesn't show suggested actions in every scope, so choices become a hero card; DingTalk buttons can't post back,
 * so choices become numbered lines the user answers with the number or the words. Markdown text is laid out for the
 * channel's renderer (layoutMarkdown). Every message carries the reply contract.
 * In a group chat a reply to a message mentions the member it answers (Teams: a mention entity; DingTalk: `@staffId`,
 * which the DingTalk adapter turns into the webhook's `at.atUserIds`).
 */
export class ChannelRendering implements Middleware {
  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Read before the turn runs: the bot sets the activity's locale to the reply language it chose.
    const script = traditionalScriptOf(context.activity);
    context.onSendActivities(async (ctx, activities, send) => {
      for (const activity of activities) renderFor(ctx.activity, activity, script);
      return send();
    });
    await next();
  }
}

export function renderFor(incoming: Partial<Activity>, activity: Partial<Activity>, script = traditionalScriptOf(incoming)): void {
  if (activity.type !== ActivityTypes.Message) return;
  const channelId = incoming.channelId;
  activity.channelData = { intent: 'none', score: 0, ...(activity.channelData ?? {}) };
  if (script) renderScript(activity, script);
  if (activity.textFormat === 'markdown' && activity.text) {
    activity.text = layoutMarkdown(activity.text, channelId === 'msteams' || channelId === 'dingtalk' ? 'paragraph' : 'hard');
  }
  addressMember(incoming, activity);
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

/** Who a group reply is for: the sender of the message it answers, as the channel names them in a mention. */
function addressMember(incoming: Partial<Activity>, activity: Partial<Activity>): void {
  if (incoming.type !== ActivityTypes.Message || !isGroupConversation(incoming)) return;
  const from = incoming.from;
  if (!from || typeof from.id !== 'string' || !from.id) return;
  let mention: Mention | undefined;
  if (incoming.channelId === 'msteams') {
    const name = typeof from.name === 'string' && from.name ? from.name : 'user';
    mention = { type: 'mention', mentioned: { id: from.id, name }, text: `<at>${escapeXml(name)}</at>` };
  } else if (incoming.channelId === 'dingtalk') {
    const staffId = (incoming.channelData as { senderStaffId?: unknown } | undefined)?.senderStaffId;
    // Only a staff id can be @-mentioned by a robot; an external member gets the reply without a mention.
    if (typeof staffId === 'string' && /^[\w.-]{1,64}$/.test(staffId)) mention = { type: 'mention', mentioned: { id: staffId, name: from.name ?? '' }, text: `@${staffId}` };
  }
  if (!mention) return;
  activity.text = `${mention.text} ${activity.text ?? ''}`.trimEnd();
  activity.entities = [...(activity.entities ?? []), mention];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
