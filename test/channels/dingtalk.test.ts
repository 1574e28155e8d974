import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { signDingTalk } from '../../channels/dingtalk/signature';
import { listen, recorder } from '../helpers/servers';

const SECRET = 'test-app-secret';

describe('DingTalk channel (HTTP mode) against a fake DingTalk', () => {
  let bot: Awaited<ReturnType<typeof listen>>;
  let webhook: Awaited<ReturnType<typeof recorder>>;

  beforeAll(async () => {
    webhook = await recorder();
    const { app } = createApp({ ...readSettings({}), dingTalkAppSecret: SECRET }, { today: () => '2026-11-22' });
    bot = await listen(app);
  });
  afterAll(async () => {
    await bot.close();
    await webhook.close();
  });
  beforeEach(() => webhook.bodies.splice(0));

  function callback(text: string, extra: Record<string, unknown> = {}) {
    return {
      conversationId: extra.conversationId ?? 'cid-single-1',
      conversationType: '1',
      senderStaffId: 'staff-1',
      senderNick: '小王',
      chatbotUserId: 'bot-1',
      msgtype: 'text',
      text: { content: text },
      sessionWebhook: `${webhook.url}/robot/send?session=1`,
      sessionWebhookExpiredTime: Date.now() + 60_000,
      ...extra,
    };
  }

  async function post(body: unknown, timestamp = String(Date.now()), sign = signDingTalk(timestamp, SECRET)) {
    return fetch(`${bot.url}/api/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', timestamp, sign }, body: JSON.stringify(body) });
  }

  function markdownOf(body: unknown): string {
    const b = body as { msgtype: string; markdown: { text: string } };
    expect(b.msgtype).toBe('markdown');
    return b.markdown.text;
  }

  it('answers a signed callback through the session webhook', async () => {
    const res = await post(callback('域名实名认证提示注册者证件不清晰/被遮挡'));
    expect(res.status).toBe(200);
    const [reply] = await webhook.waitFor(1);
    expect(markdownOf(reply)).toMatch(/清晰/);
  });

  it('refuses a forged signature with 401 and sends nothing', async () => {
    const res = await post(callback('你好'), String(Date.now()), 'Zm9yZ2VkIHNpZ25hdHVyZQ==');
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(webhook.bodies).toHaveLength(0);
  });

  it('refuses a two-hour-old callback with 401 and sends nothing', async () => {
    const old = String(Date.now() - 2 * 60 * 60 * 1000);
    const res = await post(callback('你好'), old, signDingTalk(old, SECRET));
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(webhook.bodies).toHaveLength(0);
  });

  it('in a group answers only when @-mentioned, with the mention stripped', async () => {
    const group = { conversationId: 'cid-group-1', conversationType: '2' };
    expect((await post(callback('注册者证件不完整', { ...group, isInAtList: false }))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(webhook.bodies).toHaveLength(0);
    expect((await post(callback('@实名助手 注册者证件不完整', { ...group, isInAtList: true }))).status).toBe(200);
    const [reply] = await webhook.waitFor(1);
    expect(markdownOf(reply)).toMatch(/完整/);
  });

  it("in a group keeps each member's own conversation and @-mentions the member each reply answers", async () => {
    const group = { conversationId: 'cid-group-members', conversationType: '2', isInAtList: true };
    const memberA = { ...group, senderStaffId: 'staff-a', senderNick: '甲' };
    const memberB = { ...group, senderStaffId: 'staff-b', senderNick: '乙' };
    await post(callback('@实名助手 不在实名库中', memberA));
    const [question] = (await webhook.waitFor(1)) as { at?: { atUserIds: string[] } }[];
    expect(question.at).toEqual({ atUserIds: ['staff-a'] });
    expect(markdownOf(question).startsWith('@staff-a ')).toBe(true);
    await post(callback('@实名助手 上个月15号', memberB));
    const [, toB] = (await webhook.waitFor(2)) as { at?: { atUserIds: string[] } }[];
    expect(toB.at).toEqual({ atUserIds: ['staff-b'] });
    expect(markdownOf(toB)).not.toMatch(/2026年1月15日/);
    await post(callback('@实名助手 2026年1月5日', memberA));
    const [, , toA] = (await webhook.waitFor(3)) as { at?: { atUserIds: string[] } }[];
    expect(toA.at).toEqual({ atUserIds: ['staff-a'] });
    expect(markdownOf(toA)).toMatch(/2026年1月15日/); // A's question was still open: B's date did not answer it
  });

  it('answers a replayed msgId once', async () => {
    const body = callback('注册者证件不完整', { conversationId: 'cid-replay-1', msgId: 'msg-replayed-1' });
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(webhook.bodies).toHaveLength(1);
    expect((webhook.bodies[0] as { at?: unknown }).at).toBeUndefined(); // a one-to-one chat mentions nobody
  });

  it('collects details over several messages, with choices as numbered options', async () => {
    const conversationId = 'cid-details-1';
    await post(callback('实名认证失败，提交资料显示为海外用户', { conversationId }));
    const [question] = await webhook.waitFor(1);
    const text = markdownOf(question);
    const hk = /(\d+)\. 中国香港/.exec(text) ?? /(\d+)\. [^\n]*香港/.exec(text);
    expect(hk).not.toBeNull();
    await post(callback(hk![1], { conversationId }));
    const replies = await webhook.waitFor(2);
    expect(markdownOf(replies[1])).toMatch(/个人|企业|组织/);
    await post(callback('个人', { conversationId }));
    const all = await webhook.waitFor(3);
    expect(markdownOf(all[2])).toMatch(/国际站/);
  });

  it('rejects a body that is not a robot message with 400', async () => {
    const res = await post({ hello: 'world' });
    expect(res.status).toBe(400);
  });

  it('rejects a signed callback whose fields have the wrong types with 400, and sends nothing', async () => {
    const res = await post(callback('你好', { text: { content: 123 } }));
    expect(res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 200));
    expect(webhook.bodies).toEqual([]);
  });
});
