/**
 * Feedback and the knowledge owner's report from a scripted day of traffic, through the real HTTP endpoints
 * (Bot Framework messages with expectReplies, GET /admin/report), on a clock that walks through one day.
 */
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { listen, postMessage } from '../helpers/servers';
import type { Report } from '../../admin/report';

const TOKEN = 'admin-token-for-tests-0123456789';
const ID_NUMBER = '110101199003071234';
// 2026-11-22 09:00 in Asia/Shanghai; each message moves the clock on by ten minutes.
const DAY_START = Date.parse('2026-11-22T01:00:00Z');

interface Reply {
  type: string;
  text?: string;
  channelData?: { intent: string; score: number; candidates?: string[]; handoff?: boolean; slot?: string };
  suggestedActions?: { actions: { title: string }[] };
}

describe('feedback and /admin/report over a scripted day', () => {
  let clock = DAY_START;
  let bot: Awaited<ReturnType<typeof listen>>;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    app = createApp({ ...readSettings({}), adminToken: TOKEN }, { today: () => '2026-11-22', now: () => clock });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await bot.close();
  });

  async function say(conversation: string, text: string): Promise<Reply[]> {
    clock += 10 * 60 * 1000;
    const res = await postMessage(bot.url, text, { channelId: 'webchat', from: { id: `user-${conversation}` }, conversation: { id: conversation } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Reply[] }).activities.filter((a) => a.type === 'message');
  }
  const last = async (conversation: string, text: string) => (await say(conversation, text)).at(-1)!;
  const report = (query = '', token: string | null = TOKEN) =>
    fetch(`${bot.url}/admin/report${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('offers 有帮助 / 没帮助 after an answer; 没帮助 offers the next candidates and a person', async () => {
    const answer = await last('c1', '注册者证件不完整');
    expect(answer.channelData?.intent).toBe('domain.cert-incomplete');
    expect(answer.suggestedActions?.actions.map((a) => a.title)).toEqual(expect.arrayContaining(['有帮助', '没帮助']));
    const thanks = await last('c1', '有帮助');
    expect(thanks.text).toMatch(/感谢/);
    expect(thanks.channelData?.intent).toBe('domain.cert-incomplete');

    await last('c2', '注册者证件不清晰/被遮挡');
    const sorry = await last('c2', '没帮助');
    expect(sorry.channelData?.intent).toBe('clarify');
    const titles = sorry.suggestedActions!.actions.map((a) => a.title);
    expect(sorry.channelData?.candidates?.length).toBeGreaterThan(0);
    expect(titles.at(-1)).toBe('转人工客服');
    // The last option, by its number (as DingTalk shows them), hands over to a person.
    const handoff = await last('c2', String(titles.length));
    expect(handoff.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
  });

  it('reports the day: answers per entry, rates by day, unanswered messages grouped with the nearest entry', async () => {
    await last('c3', '营业执照不清晰被退回了');
    await last('c3', '没帮助');
    await last('c4', '注册者证件不完整');
    await last('c4', '有帮助');
    for (const [i, text] of ['怎么注册商标', '如何注册商标呀', '我想注册商标怎么弄', '今天天气怎么样'].entries()) await last(`oos-${i}`, text);
    await last('c5', `转人工，我的身份证号是${ID_NUMBER}`);
    await last('c6', '库中无此号');

    expect((await report('', null)).status).toBe(401);
    expect((await report('', 'wrong-token')).status).toBe(401);

    const page = await report();
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<svg');
    expect(html).toMatch(/Helpful rate/);

    const json = (await (await report('?format=json')).json()) as Report;
    expect(json.byDay.map((d) => d.day)).toEqual(['2026-11-22']);
    const day = json.byDay[0];
    expect(day.helpful).toBe(2);
    expect(day.unhelpful).toBe(2);
    expect(day.helpfulRate).toBe(0.5);
    expect(day.handoffs).toBe(2);
    expect(day.outOfScope).toBeGreaterThanOrEqual(4);
    expect(day.outOfScopeRate).toBeCloseTo(day.outOfScope / day.turns, 3);
    const incomplete = json.answersPerEntry.find((e) => e.entryId === 'domain.cert-incomplete');
    expect(incomplete).toMatchObject({ answers: 2, helpful: 2 });

    // The three trademark questions are one group; the weather another.
    const trademark = json.unanswered.find((g) => g.examples.some((t) => t.includes('商标')));
    expect(trademark?.count).toBe(3);
    expect(trademark?.kinds.outOfScope).toBe(3);
    expect(trademark?.nearest?.entryId).toBeTruthy();
    expect(json.unanswered.find((g) => g.examples.includes('今天天气怎么样'))?.count).toBe(1);
    // The hand-off and the unhelpful marks are there, the number masked.
    expect(json.unanswered.some((g) => g.kinds.handoff && g.examples.some((t) => t.includes('110*************34')))).toBe(true);
    expect(json.unanswered.some((g) => g.kinds.unhelpful)).toBe(true);
    expect(JSON.stringify(json)).not.toContain(ID_NUMBER);

    // The export: the groups' messages in the shape of an entry's examples.
    const exported = json.candidatePhrasings.find((p) => p.examples.zh.includes('怎么注册商标'));
    expect(exported?.examples.zh).toEqual(expect.arrayContaining(['怎么注册商标', '如何注册商标呀', '我想注册商标怎么弄']));
    expect(exported?.examples.en).toEqual([]);
  });

  it('refuses a bad window with 400', async () => {
    expect((await report('?days=0')).status).toBe(400);
    expect((await report('?days=abc&format=json')).status).toBe(400);
  });
});
