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

// A bare URL, up to the first character that cannot be part of one (）, ，, a closing parenthesis, a comma …).
const BARE_URL = /(?<!\]\(|<)https?:\/\/[A-Za-z0-9\-._~\/?#@!$&'*+=%:]+[A-Za-z0-9\/#=_-]/g;

/**
 * Bare URLs as markdown links: markdown renderers extend a bare URL over the full-width punctuation that follows it in
 * Chinese text (https://www.cods.org.cn/），营业执照查 became one broken link in Web Chat).
 */
export function linkUrls(text: string): string {
  return text.replace(BARE_URL, (url) => `[${url}](${url})`);
}

/** Builds a message reply carrying the reply contract in channelData, with optional suggested actions. */
export function reply(text: string, meta: ReplyMeta, actions: (string | CardAction)[] = []): Partial<Activity> {
  const activity = MessageFactory.text(linkUrls(text));
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
