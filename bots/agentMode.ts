import type { TurnContext } from 'botbuilder';
import type { Understanding } from '../understanding';
import type { Lang } from '../understanding/language';
import { normalize } from '../understanding/normalize';

const SEARCH_RESULTS = 5;

/**
 * Agent-only look-ups: `/kb search <words>` lists the best entries for the words, `/kb show <id>` prints an entry in both languages.
 * Returns the reply text, or undefined when the message is not such a command.
 */
export function runAgentCommand(text: string, understanding: Understanding, lang: Lang): { text: string; intent: string; score: number } | undefined {
  const match = /^\/kb\s+(search|show)\s*(.*)$/is.exec(text.trim());
  if (!match) return undefined;
  const [, verb, arg] = match;
  const { kb, classifier } = understanding;
  if (verb.toLowerCase() === 'show') {
    const entry = kb.byId.get(arg.trim());
    if (!entry) return { text: lang === 'zh' ? `没有条目 \`${arg.trim()}\`。` : `No entry \`${arg.trim()}\`.`, intent: 'none', score: 0 };
    const prompts = [...(entry.prompts?.zh ?? []), ...(entry.prompts?.en ?? [])].map((p) => `- ${p}`).join('\n');
    return {
      text: `**${entry.id}** · ${entry.title.zh} / ${entry.title.en}\n\n${prompts}\n\n---\n\n${entry.answer.zh.trim()}\n\n---\n\n${entry.answer.en.trim()}`,
      intent: entry.id,
      score: 1,
    };
  }
  if (!normalize(arg)) return { text: 'usage: /kb search <words> | /kb show <id>', intent: 'none', score: 0 };
  const result = classifier.classify(arg);
  const lines = result.candidates.slice(0, SEARCH_RESULTS).map((c, i) => `${i + 1}. \`${c.id}\` ${kb.byId.get(c.id)!.title[lang]} (${c.score})`);
  return { text: lines.join('\n'), intent: result.intent, score: result.score };
}

/**
 * Whether a conversation is configured as a support agents' one: by conversation id, or by Teams team or channel id.
 * Team and channel ids are read only from Teams, whose channelData comes from the service; a web client writes its own.
 */
export function isAgentConversation(context: TurnContext, agentConversations: Set<string>): boolean {
  if (!agentConversations.size) return false;
  const conversationId = (context.activity.conversation?.id ?? '').split(';')[0];
  const teams = context.activity.channelId === 'msteams' ? (context.activity.channelData as { team?: { id?: string }; channel?: { id?: string } } | undefined) : undefined;
  return [conversationId, teams?.team?.id, teams?.channel?.id].some((id) => id !== undefined && agentConversations.has(id));
}
