import { ActivityTypes, Channels, type Middleware, type TurnContext } from 'botbuilder';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Channel ids a label may carry: Bot Framework's and the ones this bot adds. Anything else is counted as 'other'. */
const KNOWN_CHANNELS: ReadonlySet<string> = new Set([...Object.values(Channels), 'dingtalk']);
/** Intents a reply carries besides taxonomy ids. */
const REPLY_INTENTS = ['clarify', 'none'];

/**
 * Prometheus metrics of the bot: turns, their latency, and replies by the intent they act on. Labels come only from
 * fixed sets (a sender chooses channelId, and a label per value would grow /metrics without bound and show it).
 */
export class BotMetrics implements Middleware {
  readonly registry = new Registry();
  private readonly intents: ReadonlySet<string>;
  private readonly turns = new Histogram({
    name: 'bot_turn_seconds',
    help: 'Time to handle one incoming activity, by channel and outcome',
    labelNames: ['channel', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly replies = new Counter({
    name: 'bot_replies_total',
    help: 'Replies sent, by the taxonomy id they act on (or clarify / none)',
    labelNames: ['intent'],
    registers: [this.registry],
  });

  /** `taxonomyIds`: the knowledge base's entry ids, the only intents counted by name. */
  constructor(taxonomyIds: Iterable<string>) {
    this.intents = new Set([...taxonomyIds, ...REPLY_INTENTS]);
    collectDefaultMetrics({ register: this.registry });
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const channel = context.activity.channelId;
    const stop = this.turns.startTimer({ channel: typeof channel === 'string' && KNOWN_CHANNELS.has(channel) ? channel : 'other' });
    context.onSendActivities(async (_ctx, activities, send) => {
      for (const a of activities) {
        if (a.type !== ActivityTypes.Message) continue;
        const intent = (a.channelData as { intent?: unknown } | undefined)?.intent ?? 'none';
        this.replies.inc({ intent: typeof intent === 'string' && this.intents.has(intent) ? intent : 'other' });
      }
      return send();
    });
    try {
      await next();
      stop({ outcome: 'ok' });
    } catch (err) {
      stop({ outcome: 'error' });
      throw err;
    }
  }
}
