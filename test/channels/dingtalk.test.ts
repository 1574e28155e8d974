import * as http from 'http';
import { createApp } from '../../index';
import { readSettings, type Settings } from '../../config/settings';
import { signDingTalk } from '../../channels/dingtalk/signature';
import { listen } from '../helpers/servers';
import { png } from '../answers/images';

const SECRET = 'test-app-secret';
const IMAGE = png();

/** A fake DingTalk: session webhooks (answering queued errcodes), a redirecting webhook, the open API and a file host. */
async function fakeDingTalk() {
  const posts: { path: string; body: unknown }[] = [];
  const errcodes: number[] = [];
  const api: { path: string; token?: string; body: unknown }[] = [];
  const server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c));
    req.on('end', () => {
      const body = data ? (JSON.parse(data) as unknown) : undefined;
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (path === '/robot/send') {
        posts.push({ path, body });
        const errcode = errcodes.shift() ?? 0;
        return json(200, { errcode, errmsg: errcode ? 'refused' : 'ok' });
      }
      if (path === '/robot/redirect') {
        res.writeHead(307, { location: '/robot/send' });
        return void res.end();
      }
      if (path === '/v1.0/oauth2/accessToken') {
        api.push({ path, body });
        return json(200, { accessToken: 'token-1', expireIn: 7200 });
      }
      if (path === '/v1.0/robot/messageFiles/download') {
        api.push({ path, token: req.headers['x-acs-dingtalk-access-token'] as string, body });
        return json(200, { downloadUrl: `${server.url}/files/picture.png` });
      }
      if (path === '/files/picture.png') {
        api.push({ path, body });
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end(IMAGE);
      }
      res.writeHead(404);
      res.end();
    });
  });
  const waitFor = async (n: number, ms = 5000) => {
    const until = Date.now() + ms;
    while (posts.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return posts.map((p) => p.body);
  };
  return { ...server, posts, errcodes, api, waitFor };
}

/** Loopback fakes stand in for DingTalk's hosts: the test lists them, as an operator would list a proxy. */
function testSettings(fake: { url: string }, extra: Partial<Settings> = {}): Settings {
  return {
    ...readSettings({}),
    dingTalkAppSecret: SECRET,
    dingTalkWebhookHosts: ['127.0.0.1'],
    attachmentHosts: ['127.0.0.1'],
    outbound: { privateNetworks: ['127.0.0.1'], allowHttp: true },
    dingTalkApiBase: fake.url,
    ...extra,
  };
}

let sequence = 0;

describe('DingTalk channel (HTTP mode) against a fake DingTalk', () => {
  let bot: Awaited<ReturnType<typeof listen>>;
  let dingTalk: Awaited<ReturnType<typeof fakeDingTalk>>;

  beforeAll(async () => {
    dingTalk = await fakeDingTalk();
    const { app } = createApp(testSettings(dingTalk, { dingTalkFiles: { appKey: 'key-1', appSecret: 'secret-1', robotCode: 'robot-1' } }), { today: () => '2026-11-22' });
    bot = await listen(app);
  });
  afterAll(async () => {
    await bot.close();
    await dingTalk.close();
  });
  beforeEach(() => {
    dingTalk.posts.splice(0);
    dingTalk.errcodes.splice(0);
  });

  function callback(text: string, extra: Record<string, unknown> = {}) {
    return {
      conversationId: extra.conversationId ?? 'cid-single-1',
      conversationType: '1',
      senderStaffId: 'staff-1',
      senderNick: '小王',
      chatbotUserId: 'bot-1',
      msgId: `msg-${++sequence}-${Date.now()}`,
      msgtype: 'text',
      text: { content: text },
      sessionWebhook: `${dingTalk.url}/robot/send?session=1`,
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

  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('answers a signed callback through the session webhook', async () => {
    const res = await post(callback('域名实名认证提示注册者证件不清晰/被遮挡'));
    expect(res.status).toBe(200);
    const [reply] = await dingTalk.waitFor(1);
    expect(markdownOf(reply)).toMatch(/清晰/);
  });

  it('refuses a forged signature with 401 and sends nothing', async () => {
    const res = await post(callback('你好'), String(Date.now()), 'Zm9yZ2VkIHNpZ25hdHVyZQ==');
    expect(res.status).toBe(401);
    await settle();
    expect(dingTalk.posts).toHaveLength(0);
  });

  it('refuses a callback whose signed timestamp is ten minutes old (DingTalk would take an hour) with 401', async () => {
    const old = String(Date.now() - 10 * 60 * 1000);
    const res = await post(callback('你好'), old, signDingTalk(old, SECRET));
    expect(res.status).toBe(401);
    await settle();
    expect(dingTalk.posts).toHaveLength(0);
  });

  it('answers a replayed msgId once', async () => {
    const message = callback('注册者证件不完整');
    expect((await post(message)).status).toBe(200);
    await dingTalk.waitFor(1);
    const replay = await post(message);
    expect(replay.status).toBe(200);
    await settle();
    expect(dingTalk.posts).toHaveLength(1);
  });

  it.each([
    ['a host that is not DingTalk', 'https://evil.example/robot/send'],
    ['a loopback name', 'https://localhost/robot/send'],
    ['a non-http scheme', 'file:///etc/passwd'],
  ])('refuses a session webhook on %s with 400 and posts nothing', async (_name, sessionWebhook) => {
    const res = await post(callback('你好', { sessionWebhook }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'not a DingTalk robot message' });
  });

  it('never follows a redirect from a session webhook', async () => {
    const res = await post(callback('注册者证件不完整', { sessionWebhook: `${dingTalk.url}/robot/redirect` }));
    expect(res.status).toBe(200);
    await settle();
    expect(dingTalk.posts).toHaveLength(0);
  });

  it('retries a reply DingTalk refused as sent too fast (errcode 130101), then delivers it', async () => {
    dingTalk.errcodes.push(130101);
    expect((await post(callback('注册者证件不完整'))).status).toBe(200);
    const bodies = await dingTalk.waitFor(2);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toEqual(bodies[1]);
    expect(markdownOf(bodies[1])).toMatch(/完整/);
  });

  it('does not retry other refusals', async () => {
    dingTalk.errcodes.push(300001);
    expect((await post(callback('注册者证件不完整'))).status).toBe(200);
    await settle();
    expect(dingTalk.posts).toHaveLength(1);
  });

  it('in a group answers only when @-mentioned, with the mention stripped', async () => {
    const group = { conversationId: 'cid-group-1', conversationType: '2' };
    expect((await post(callback('注册者证件不完整', { ...group, isInAtList: false }))).status).toBe(200);
    await settle();
    expect(dingTalk.posts).toHaveLength(0);
    expect((await post(callback('@实名助手 注册者证件不完整', { ...group, isInAtList: true }))).status).toBe(200);
    const [reply] = await dingTalk.waitFor(1);
    expect(markdownOf(reply)).toMatch(/完整/);
  });

  it('reads the text of a richText message and the transcript of an audio message', async () => {
    const rich = callback('', { conversationId: 'cid-rich', msgtype: 'richText', text: undefined, content: { richText: [{ text: '注册者证件' }, { text: '不完整' }] } });
    expect((await post(rich)).status).toBe(200);
    const [reply] = await dingTalk.waitFor(1);
    expect(markdownOf(reply)).toMatch(/完整/);
    const audio = callback('', { conversationId: 'cid-audio', msgtype: 'audio', text: undefined, content: { recognition: '注册者证件不完整', downloadCode: 'voice-1' } });
    expect((await post(audio)).status).toBe(200);
    const replies = await dingTalk.waitFor(2);
    expect(markdownOf(replies[1])).toMatch(/完整/);
    expect(markdownOf(replies[1])).not.toMatch(/没有收到文字/);
  });

  it('checks a picture inside richText, downloaded through DingTalk’s file API', async () => {
    dingTalk.api.splice(0);
    const rich = callback('', {
      conversationId: 'cid-picture',
      msgtype: 'richText',
      text: undefined,
      content: { richText: [{ text: '中国站上传的文件格式不支持' }, { type: 'picture', downloadCode: 'code-1' }] },
    });
    expect((await post(rich)).status).toBe(200);
    const replies = await dingTalk.waitFor(1);
    expect(dingTalk.api.map((a) => a.path)).toEqual(['/v1.0/oauth2/accessToken', '/v1.0/robot/messageFiles/download', '/files/picture.png']);
    expect(dingTalk.api[1]).toMatchObject({ token: 'token-1', body: { downloadCode: 'code-1', robotCode: 'robot-1' } });
    expect(replies.map(markdownOf).join('\n')).toMatch(/实际格式是 PNG/);
  });

  it("in a group keeps each member's own conversation and @-mentions the member each reply answers", async () => {
    const group = { conversationId: 'cid-group-members', conversationType: '2', isInAtList: true };
    const memberA = { ...group, senderStaffId: 'staff-a', senderNick: '甲' };
    const memberB = { ...group, senderStaffId: 'staff-b', senderNick: '乙' };
    await post(callback('@实名助手 不在实名库中', memberA));
    const [question] = (await dingTalk.waitFor(1)) as { at?: { atUserIds: string[] } }[];
    expect(question.at).toEqual({ atUserIds: ['staff-a'] });
    expect(markdownOf(question).startsWith('@staff-a ')).toBe(true);
    await post(callback('@实名助手 上个月15号', memberB));
    const [, toB] = (await dingTalk.waitFor(2)) as { at?: { atUserIds: string[] } }[];
    expect(toB.at).toEqual({ atUserIds: ['staff-b'] });
    expect(markdownOf(toB)).not.toMatch(/2026年1月15日/);
    await post(callback('@实名助手 2026年1月5日', memberA));
    const [, , toA] = (await dingTalk.waitFor(3)) as { at?: { atUserIds: string[] } }[];
    expect(toA.at).toEqual({ atUserIds: ['staff-a'] });
    expect(markdownOf(toA)).toMatch(/2026年1月15日/); // A's question was still open: B's date did not answer it
  });

  it('answers a replayed msgId once', async () => {
    const body = callback('注册者证件不完整', { conversationId: 'cid-replay-1', msgId: 'msg-replayed-1' });
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(dingTalk.posts).toHaveLength(1);
    expect((dingTalk.posts[0].body as { at?: unknown }).at).toBeUndefined(); // a one-to-one chat mentions nobody
  });

  it('collects details over several messages, with choices as numbered options', async () => {
    const conversationId = 'cid-details-1';
    await post(callback('实名认证失败，提交资料显示为海外用户', { conversationId }));
    const [question] = await dingTalk.waitFor(1);
    const text = markdownOf(question);
    const hk = /(\d+)\. 中国香港/.exec(text) ?? /(\d+)\. [^\n]*香港/.exec(text);
    expect(hk).not.toBeNull();
    await post(callback(hk![1], { conversationId }));
    const replies = await dingTalk.waitFor(2);
    expect(markdownOf(replies[1])).toMatch(/个人|企业|组织/);
    await post(callback('个人', { conversationId }));
    const all = await dingTalk.waitFor(3);
    expect(markdownOf(all[2])).toMatch(/国际站/);
  });

  it('rejects a body that is not a robot message with 400', async () => {
    const res = await post({ hello: 'world' });
    expect(res.status).toBe(400);
  });

  it.each([
    ['text content that is a number', { text: { content: 123 } }],
    ['no msgId', { msgId: undefined }],
    ['richText that is not a list', { msgtype: 'richText', content: { richText: 'x' } }],
    ['a recognition that is not a string', { msgtype: 'audio', content: { recognition: ['x'] } }],
  ])('rejects a signed callback with %s with 400, and sends nothing', async (_name, extra) => {
    const res = await post(callback('你好', extra));
    expect(res.status).toBe(400);
    await settle();
    expect(dingTalk.posts).toEqual([]);
  });
});
