import type { Activity } from 'botbuilder';
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { signDingTalk } from '../../channels/dingtalk/signature';
import { MAX_PASSED_TEXT_LENGTH } from '../../bots/activityValidation';
import { listen, recorder } from '../helpers/servers';

const SECRET = 'long-text-test-app-secret';
const TOO_LONG = { zh: /太长/, en: /too long/ };

/**
 * A customer who pastes a whole document gets the same answer on every channel: the too-long reply in their language,
 * not a 400 the widget or DingTalk shows as a failed send; the work stays bounded (the text is cut before it is read),
 * and a body over the byte cap is still a 413.
 */
describe('a message over the channel text limit, on every channel', () => {
  let bot: Awaited<ReturnType<typeof listen>>;
  let webhook: Awaited<ReturnType<typeof recorder>>;
  let directLine: ReturnType<typeof createApp>['directLine'];
  let sequence = 0;

  beforeAll(async () => {
    webhook = await recorder();
    const settings = { ...readSettings({}), dingTalkAppSecret: SECRET, dingTalkWebhookHosts: ['127.0.0.1'], outbound: { privateNetworks: ['127.0.0.1'], allowHttp: true } };
    const app = createApp(settings, { today: () => '2026-11-22' });
    directLine = app.directLine;
    bot = await listen(app.app);
  });
  afterAll(async () => {
    await directLine.close();
    await bot.close();
    await webhook.close();
  });
  beforeEach(() => webhook.bodies.splice(0));

  const overLimit = (phrase: string) => phrase.repeat(Math.ceil((MAX_PASSED_TEXT_LENGTH + 1) / phrase.length));
  const zhText = overLimit('域名实名认证失败，提示注册者证件不清晰。');
  const enText = overLimit('The real-name verification of my domain failed. ');

  async function dingTalk(body: Record<string, unknown>): Promise<Response> {
    const timestamp = String(Date.now());
    return fetch(`${bot.url}/api/dingtalk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', timestamp, sign: signDingTalk(timestamp, SECRET) },
      body: JSON.stringify({
        conversationId: `cid-long-${++sequence}`,
        conversationType: '1',
        senderStaffId: 'staff-1',
        msgId: `msg-long-${sequence}-${Date.now()}`,
        sessionWebhook: `${webhook.url}/robot/send?session=1`,
        sessionWebhookExpiredTime: Date.now() + 60_000,
        ...body,
      }),
    });
  }
  const markdownOf = (body: unknown) => (body as { markdown: { text: string } }).markdown.text;

  async function directLineConversation(locale: string) {
    const { token } = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers, body: JSON.stringify({ locale }) })).json()) as { conversationId: string };
    const base = `${bot.url}/v3/directline/conversations/${started.conversationId}/activities`;
    const activities = async () => ((await (await fetch(base, { headers })).json()) as { activities: Partial<Activity>[] }).activities;
    return { base, headers, activities };
  }

  it.each([
    ['zh', zhText, 'zh-CN'],
    ['en', enText, 'en-US'],
  ] as const)('Direct Line: a %s text over the limit is accepted and answered as too long, with the reply contract', async (lang, text, locale) => {
    const conversation = await directLineConversation(locale);
    const posted = await fetch(conversation.base, { method: 'POST', headers: conversation.headers, body: JSON.stringify({ type: 'message', from: { id: 'x' }, text }) });
    expect(posted.status).toBe(200);
    const all = await conversation.activities();
    const own = all.filter((a) => a.from?.role === 'user');
    // The transcript keeps the cut text, never more than any channel passes on.
    expect(own.at(-1)!.text!.length).toBeLessThanOrEqual(MAX_PASSED_TEXT_LENGTH);
    const last = all.at(-1)!;
    expect(last.from?.role).toBe('bot');
    expect(last.text).toMatch(TOO_LONG[lang]);
    expect(last.channelData).toMatchObject({ intent: expect.any(String), score: expect.any(Number) });
  });

  it('Direct Line: a body over the byte cap is still 413', async () => {
    const conversation = await directLineConversation('zh-CN');
    const posted = await fetch(conversation.base, { method: 'POST', headers: conversation.headers, body: JSON.stringify({ type: 'message', text: 'x'.repeat(2_000_000) }) });
    expect(posted.status).toBe(413);
  });

  it('DingTalk: a text message over the limit is answered as too long', async () => {
    expect((await dingTalk({ msgtype: 'text', text: { content: zhText } })).status).toBe(200);
    const [reply] = await webhook.waitFor(1);
    expect(markdownOf(reply)).toMatch(TOO_LONG.zh);
  });

  it('DingTalk: a richText message whose runs add up to far over the limit is answered as too long, quickly', async () => {
    // Each run is short; together they are 25 times the limit, one long word (the shape some detail searches take
    // quadratic time on: 250,000 letters blocked the process for three minutes before it was cut).
    const runs = Array.from({ length: 100 }, () => ({ text: 'a'.repeat(Math.ceil((MAX_PASSED_TEXT_LENGTH * 25) / 100)) }));
    const started = Date.now();
    expect((await dingTalk({ msgtype: 'richText', content: { richText: runs } })).status).toBe(200);
    const [reply] = await webhook.waitFor(1);
    expect(markdownOf(reply)).toMatch(/太长|too long/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('DingTalk: a body over the byte cap is still 413', async () => {
    expect((await dingTalk({ msgtype: 'text', text: { content: 'x'.repeat(2_000_000) } })).status).toBe(413);
    expect(webhook.bodies).toEqual([]);
  });

  it('/api/messages: the same text is answered as too long (expectReplies)', async () => {
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: 'long-1', channelId: 'emulator', deliveryMode: 'expectReplies', serviceUrl: 'https://example.org', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'long-conv' }, text: zhText }),
    });
    const { activities } = (await res.json()) as { activities: Partial<Activity>[] };
    expect(activities.at(-1)!.text).toMatch(TOO_LONG.zh);
  });
});
