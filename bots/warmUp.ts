import { ActivityTypes, MemoryStorage, TestAdapter } from 'botbuilder';
import type { Settings } from '../config/settings';
import { createBot } from './createBot';

/** Short conversations that touch every lazily built part: classifier, detail extraction, choice and date prompts, answers. */
const CONVERSATIONS: { locale: string; texts: string[] }[] = [
  { locale: 'zh-CN', texts: ['提交资料显示为海外用户', '香港', '个人', '不在实名库中', '三天前', '注册者证件类型选择错误或证件号码位数不正确', '身份证', '不知道'] },
  { locale: 'en-US', texts: ['Submitted information shows an overseas user', 'Hong Kong', 'individual', 'Newly issued certificate', 'last Friday'] },
];

/**
 * Plays a few turns through a throwaway in-memory bot before the server listens. The recognizers build their models on
 * first use (~0.5 s): without this the first user waits, and a process stalled on its first turn lets a later message of
 * the same conversation, sent to another process, take its place in the turn queue.
 */
export async function warmUp(settings: Settings): Promise<void> {
  const bot = createBot(new MemoryStorage(), settings, { download: async () => Buffer.alloc(0) });
  const adapter = new TestAdapter((context) => bot.run(context));
  for (const { locale, texts } of CONVERSATIONS) {
    const conversation = { id: `warm-up-${locale}`, isGroup: false, conversationType: 'personal', name: 'warm-up' };
    for (const text of texts) await adapter.processActivity({ type: ActivityTypes.Message, text, locale, conversation });
  }
}
