import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the bot: turns, their latency, and replies by the intent they act on. */
export class BotMetrics implements Middleware {
  readonly registry = new Registry();
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const stop = this.turns.startTimer({ channel: context.activity.channelId ?? 'unknown' });
    context.onSendActivities(async (_ctx, activities, send) => {
      for (const a of activities) {
        if (a.type === ActivityTypes.Message) this.replies.inc({ intent: String((a.channelData as { intent?: string } | undefined)?.intent ?? 'none') });
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
