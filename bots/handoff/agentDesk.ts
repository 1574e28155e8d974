import type { Activity } from 'botbuilder';

/**
 * The agents' desk: a group conversation where cases and customers' messages are posted, and whose members answer
 * a case with `#<n> text`. One abstraction, one transport per channel (DingTalk group robot, Teams channel).
 */
export interface AgentDesk {
  /** Named in logs when a post fails. */
  readonly name: string;
  /** Posts a case or a customer's message for the agents to read. */
  post(markdown: string): Promise<void>;
  /** Whether an incoming activity was written in this desk's conversation (its `#<n>` messages are relayed). */
  hears(activity: Partial<Activity>): boolean;
}
