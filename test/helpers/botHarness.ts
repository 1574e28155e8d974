import { ActivityTypes, MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import { createBot, type BotOverrides } from '../../bots/createBot';
import { ChannelRendering } from '../../bots/channelRendering';
import { readSettings, type Settings } from '../../config/settings';

export interface ReplyView {
  text: string;
  intent: string;
  score: number;
  slot?: string;
  candidates?: string[];
  actions: string[];
  activity: Partial<Activity>;
}

export function view(activity: Partial<Activity>): ReplyView {
  const data = (activity.channelData ?? {}) as { intent: string; score: number; slot?: string; candidates?: string[] };
  return {
    text: activity.text ?? '',
    intent: data.intent,
    score: data.score,
    slot: data.slot,
    candidates: data.candidates,
    actions: (activity.suggestedActions?.actions ?? []).map((a) => String(a.title)),
    activity,
  };
}

/**
 * The whole bot (activity handler, dialogs, state) on botbuilder's TestAdapter with a fixed clock:
 * say() sends a message and returns every reply of that turn.
 */
export class BotHarness {
  readonly adapter: TestAdapter;

  constructor(options: { today?: string; storage?: Storage; settings?: Partial<Settings>; overrides?: BotOverrides; channelId?: string; locale?: string } = {}) {
    const bot = createBot(options.storage ?? new MemoryStorage(), { ...readSettings({}), ...options.settings }, {
      today: () => options.today ?? '2026-11-22',
      ...options.overrides,
    });
    this.adapter = new TestAdapter((context) => bot.run(context));
    this.adapter.use(new ChannelRendering());
    this.adapter.template.channelId = options.channelId ?? 'test';
    if (options.locale) this.adapter.locale = options.locale;
  }

  async send(activity: Partial<Activity>): Promise<ReplyView[]> {
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity(activity);
    const replies = this.adapter.activeQueue.splice(0).filter((a) => a.type === ActivityTypes.Message);
    return replies.map(view);
  }

  say(text: string, extra: Partial<Activity> = {}): Promise<ReplyView[]> {
    return this.send({ type: ActivityTypes.Message, text, ...extra });
  }

  /** The last reply of a turn: the answer or the question that ends it. */
  async last(text: string, extra: Partial<Activity> = {}): Promise<ReplyView> {
    const replies = await this.say(text, extra);
    if (!replies.length) throw new Error(`no reply to "${text}"`);
    return replies[replies.length - 1];
  }
}
