import { ActionTypes, ActivityTypes, MessageFactory, type Activity, type CardAction } from 'botbuilder';

/** What every reply tells channels and checks: the taxonomy id it acts on (or 'clarify') and how sure the bot is. */
export interface ReplyMeta {
  intent: string;
  score: number;
  /** Entries offered on a clarification. */
  candidates?: string[];
  /** The detail a question asks for. */
  slot?: string;
  /** Set on a hand-off to a human agent, for the channel to route the conversation. */
  handoff?: boolean;
}

/** Builds a message reply carrying the reply contract in channelData, with optional suggested actions. */
export function reply(text: string, meta: ReplyMeta, actions: (string | CardAction)[] = []): Partial<Activity> {
  const activity = MessageFactory.text(text);
  activity.textFormat = 'markdown';
  activity.channelData = { ...meta, score: Math.round(meta.score * 1000) / 1000 };
  if (actions.length) {
    activity.suggestedActions = {
      to: [],
      actions: actions.map((a) => (typeof a === 'string' ? { type: ActionTypes.ImBack, title: a, value: a } : a)),
    };
  }
  return activity;
}

export function isMessage(activity: Partial<Activity>): boolean {
  return activity.type === ActivityTypes.Message;
}
