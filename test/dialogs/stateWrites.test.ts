import { MemoryStorage, type StoreItems } from 'botbuilder';
import { BotHarness } from '../helpers/botHarness';

/** A storage that keeps a copy of everything written to it. */
class RecordingStorage extends MemoryStorage {
  readonly writes: string[] = [];

  async write(changes: StoreItems): Promise<void> {
    this.writes.push(JSON.stringify(changes));
    return super.write(changes);
  }
}

const CERT = '110101199003074477';
const SPACED_CERT = '1101 0119 9003 0744 77';

// Conversations where the raw text used to reach state: a correction at a question restarted the flow with the text.
const conversations: { locale: string; turns: string[] }[] = [
  { locale: 'zh-CN', turns: ['提交资料显示为海外用户', '澳门', `不对，是香港的，证件号${CERT}`, '个人'] },
  { locale: 'zh-CN', turns: ['库中无此号', `我填的是${SPACED_CERT}，身份证`, '不对，是护照'] },
  { locale: 'en-US', turns: ['Certificate cannot be found in the database', `actually it is a company, number ${CERT}`, 'no idea'] },
  { locale: 'zh-CN', turns: ['域名实名认证不在实名库中', `注册联系人信息有误，我的号码是${CERT}`, '为什么要问这个'] },
  { locale: 'zh-TW', turns: [`居民身份證${CERT}`, '網域實名認證提示不在實名庫中', '好像是上週五吧', '那如果是企業呢'] },
];

describe('conversation state holds derived data only', () => {
  it.each(conversations.map((c) => [c.turns[0], c] as const))('no raw text or certificate number in any state write: %s', async (_first, c) => {
    const storage = new RecordingStorage();
    const bot = new BotHarness({ today: '2026-11-22', storage, locale: c.locale });
    for (const text of c.turns) await bot.say(text, { locale: c.locale });
    expect(storage.writes.length).toBeGreaterThan(0);
    for (const written of storage.writes) {
      const compact = written.replace(/[\s-]/g, '');
      expect(compact).not.toContain(CERT);
      for (let i = 0; i + 8 <= CERT.length; i++) expect(compact).not.toContain(CERT.slice(i, i + 8));
      // Whole messages (anything longer than a bare detail) never sit in state, neither as typed nor normalized.
      for (const text of c.turns.filter((t) => t.length > 6)) expect(written).not.toContain(text);
    }
  });
});
