/**
 * Hand-off end to end: a web customer on a local Bot Framework connector (a recorder at the activity's serviceUrl),
 * a fake agents' DingTalk group (its robot webhook records the posted cases; its members' messages arrive as
 * signed callbacks on POST /api/dingtalk).
 */
import { createApp } from '../../../index';
import { readSettings, teamsDeskReference, type Settings } from '../../../config/settings';
import { signDingTalk } from '../../../channels/dingtalk/signature';
import { listen, postMessage, recorder } from '../../helpers/servers';
import { DirectLineClient } from '../../helpers/directLineClient';
import { describeRedis, redisTestContext, sleep, TEST_REDIS_URL } from '../../storage/redisTestSupport';

const APP_SECRET = 'test-app-secret';
const DESK_SECRET = 'SECtest-desk-secret';
const DESK = 'cid-agents-group';
const ID_NUMBER = '110101199003071234';

type Recorder = Awaited<ReturnType<typeof recorder>>;
type Server = Awaited<ReturnType<typeof listen>>;

interface Sent {
  type: string;
  name?: string;
  text?: string;
  value?: Record<string, unknown>;
  attachments?: { name?: string; contentType?: string; content?: { activities: { text: string }[] } }[];
  channelData?: { intent?: string; handoff?: boolean; from?: string };
  suggestedActions?: { actions: { title: string }[] };
}

function settings(deskWebhook: string, extra: Partial<Settings['handoff']> = {}): Settings {
  // The fake connector and the agents' group listen on loopback over http.
  const base = readSettings({ OUTBOUND_PRIVATE_NETWORKS: '127.0.0.1', OUTBOUND_ALLOW_HTTP: 'true', DINGTALK_WEBHOOK_HOSTS: '127.0.0.1' });
  return {
    ...base,
    dingTalkAppSecret: APP_SECRET,
    // Loopback fakes stand in for DingTalk's hosts and the connector: listed as an operator would list a proxy.
    dingTalkWebhookHosts: ['127.0.0.1'],
    outbound: { privateNetworks: ['127.0.0.1'], allowHttp: true },
    handoff: { ...base.handoff, dingTalkWebhook: `${deskWebhook}/robot/send?access_token=desk`, dingTalkSecret: DESK_SECRET, dingTalkConversation: DESK, ...extra },
  };
}

let sequence = 0;

/** A web customer's message through the Bot Framework endpoint; replies go to the connector recorder. */
async function customerSays(bot: Server, connector: Recorder, conversation: string, text: string): Promise<void> {
  const res = await postMessage(bot.url, text, {
    channelId: 'webchat',
    serviceUrl: connector.url,
    deliveryMode: undefined, // replies go to the connector
    from: { id: 'customer-1', name: 'Customer' },
    recipient: { id: 'bot', name: 'Bot' },
    conversation: { id: conversation },
  });
  expect([200, 201, 202]).toContain(res.status);
}

/** An agent's message in the agents' group, as DingTalk calls back (signed, the bot @-mentioned). */
async function agentSays(bot: Server, groupSession: Recorder, text: string): Promise<void> {
  const timestamp = String(Date.now());
  const res = await fetch(`${bot.url}/api/dingtalk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', timestamp, sign: signDingTalk(timestamp, APP_SECRET) },
    body: JSON.stringify({
      conversationId: DESK,
      conversationType: '2',
      senderStaffId: 'agent-7',
      senderNick: '客服小李',
      chatbotUserId: 'bot-1',
      msgId: `g${++sequence}`,
      msgtype: 'text',
      text: { content: `@实名助手 ${text}` },
      isInAtList: true,
      sessionWebhook: `${groupSession.url}/robot/session`,
      sessionWebhookExpiredTime: Date.now() + 60_000,
    }),
  });
  expect(res.status).toBe(200);
}

const sent = (connector: Recorder) => connector.bodies as Sent[];
const messages = (connector: Recorder, conversation?: string) =>
  sent(connector).filter((a) => a.type === 'message' && (!conversation || (a as { conversation?: { id: string } }).conversation?.id === conversation));
const deskPosts = (desk: Recorder) => (desk.bodies as { markdown: { text: string } }[]).map((b) => b.markdown.text);

async function until<T>(what: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

const caseNumberIn = (text: string) => Number(/#(\d+)/.exec(text)?.[1]);

describe('hand-off to the agents’ DingTalk group (memory storage)', () => {
  let desk: Recorder;
  let groupSession: Recorder;
  let connector: Recorder;
  let bot: Server;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    [desk, groupSession, connector] = await Promise.all([recorder(), recorder(), recorder()]);
    app = createApp(settings(desk.url), { today: () => '2026-11-22' });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await Promise.all([bot.close(), desk.close(), groupSession.close(), connector.close()]);
  });

  it('a customer asks for a person: handoff.initiate, the masked case at the group, and relays both ways until closed', async () => {
    const conversation = 'web-handoff-1';
    await customerSays(bot, connector, conversation, `证件号码${ID_NUMBER}提示证件号码位数不正确`);
    await customerSays(bot, connector, conversation, '居民身份证');
    await until(() => messages(connector).find((a) => a.channelData?.intent === 'domain.cert-type-or-number' && !(a.channelData as { slot?: string }).slot));
    await customerSays(bot, connector, conversation, '转人工');

    // The customer is told, with the case number and the reply contract of a hand-off.
    const notice = await until(() => messages(connector).find((a) => a.channelData?.handoff));
    expect(notice.channelData?.intent).toBe('handoff.human');
    const caseNumber = caseNumberIn(notice.text ?? '');
    expect(caseNumber).toBeGreaterThan(0);

    // The Bot Framework hand-off event, with a masked transcript and the case context.
    const initiate = await until(() => sent(connector).find((a) => a.type === 'event' && a.name === 'handoff.initiate'));
    expect(initiate.value).toMatchObject({ caseNumber, language: 'zh' });
    expect(initiate.channelData).toMatchObject({ intent: 'handoff.human', score: expect.any(Number), handoff: true });
    const transcript = initiate.attachments?.find((a) => a.name === 'Transcript');
    expect(transcript?.contentType).toBe('application/json');
    expect(transcript?.content?.activities.map((a) => a.text)).toContain('转人工');
    expect((initiate.value as { details: Record<string, string> }).details.certNumber).toBe('110*************34');
    expect(JSON.stringify(initiate)).not.toContain(ID_NUMBER);

    // The case at the agents' group: signed post, case number, language, entry, details, last messages, masked.
    const [post] = await desk.waitFor(1);
    const url = new URL(desk.urls[0], desk.url);
    expect(url.searchParams.get('access_token')).toBe('desk');
    const timestamp = url.searchParams.get('timestamp')!;
    expect(url.searchParams.get('sign')).toBe(signDingTalk(timestamp, DESK_SECRET));
    const caseText = (post as { markdown: { text: string } }).markdown.text;
    expect(caseText).toContain(`#${caseNumber}`);
    expect(caseText).toMatch(/语言：zh/);
    expect(caseText).toContain('domain.cert-type-or-number');
    expect(caseText).toContain('110*************34');
    expect(caseText).not.toContain(ID_NUMBER);

    // The agent's `#n` reply reaches the customer, marked as from the agent; the group is told.
    const before = messages(connector).length;
    await agentSays(bot, groupSession, `#${caseNumber} 您好，我是客服小李，请问是哪个域名？`);
    const relayed = await until(() => messages(connector).slice(before).find((a) => a.text?.includes('我是客服小李')));
    expect(relayed.text).toMatch(/^人工客服：/);
    expect(relayed.channelData).toMatchObject({ intent: 'handoff.human', handoff: true, from: 'agent' });
    const [ack] = (await groupSession.waitFor(1)) as { markdown: { text: string } }[];
    expect(ack.markdown.text).toContain(`#${caseNumber} 已发给客户`);

    // The customer's next message goes to the agents, not to the bot (and its number is masked there too).
    const postsBefore = desk.bodies.length;
    const repliesBefore = messages(connector).length;
    await customerSays(bot, connector, conversation, `example.com，证件号${ID_NUMBER}`);
    const forwarded = await until(() => deskPosts(desk).slice(postsBefore).find((t) => t.includes('example.com')));
    expect(forwarded).toContain(`#${caseNumber} 客户`);
    expect(forwarded).not.toContain(ID_NUMBER);
    await sleep(200);
    expect(messages(connector).length).toBe(repliesBefore);

    // The agent closes the case: the customer is told and is back with the bot.
    await agentSays(bot, groupSession, `#${caseNumber} 结束`);
    const closed = await until(() => messages(connector).slice(repliesBefore).find((a) => a.text?.includes('已结束本次会话')));
    expect(closed.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
    const backBefore = messages(connector).length;
    await customerSays(bot, connector, conversation, '注册者证件不完整');
    const answer = await until(() => messages(connector).slice(backBefore)[0]);
    expect(answer.channelData?.intent).toBe('domain.cert-incomplete');
    expect(answer.channelData?.handoff).toBeUndefined();

    // A closed case answers the agents so, and reaches nobody.
    await agentSays(bot, groupSession, `#${caseNumber} 还在吗`);
    const gone = await until(() => (groupSession.bodies as { markdown: { text: string } }[]).find((b) => b.markdown.text.includes('不存在或已结束')));
    expect(gone).toBeDefined();
  });

  it('the customer\'s "结束人工" returns to the bot with a notice, and the agents are told', async () => {
    const conversation = 'web-handoff-2';
    await customerSays(bot, connector, conversation, '转人工');
    const notice = await until(() => messages(connector, conversation).find((a) => a.channelData?.handoff && a.text?.includes('工单')));
    const caseNumber = caseNumberIn(notice.text ?? '');
    expect(notice.suggestedActions?.actions.map((a) => a.title)).toContain('结束人工');
    const before = messages(connector).length;
    await customerSays(bot, connector, conversation, '结束人工');
    const back = await until(() => messages(connector).slice(before).find((a) => a.text?.includes(`#${caseNumber}`)));
    expect(back.text).toMatch(/已结束人工会话/);
    expect(back.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
    await until(() => deskPosts(desk).find((t) => t.includes(`#${caseNumber}`) && t.includes('客户已结束')));
  });

  it('honours handoff.status events from a contact center', async () => {
    const conversation = 'web-handoff-3';
    await customerSays(bot, connector, conversation, '转人工');
    const notice = await until(() => messages(connector, conversation).find((a) => a.channelData?.handoff && a.text?.includes('工单')));
    const caseNumber = caseNumberIn(notice.text ?? '');
    const status = async (state: string) =>
      fetch(`${bot.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'event', name: 'handoff.status', value: { state }, id: `s${++sequence}`, channelId: 'webchat', serviceUrl: connector.url, from: { id: 'hub' }, recipient: { id: 'bot' }, conversation: { id: conversation } }),
      });
    const before = messages(connector).length;
    await status('accepted');
    await until(() => messages(connector).slice(before).find((a) => a.text?.includes('已接入')));
    await status('completed');
    const done = await until(() => messages(connector).slice(before).find((a) => a.text?.includes(`#${caseNumber}`) && a.text.includes('结束')));
    expect(done.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
  });
});

describe('no agent within HANDOFF_TIMEOUT_SECONDS', () => {
  let desk: Recorder;
  let connector: Recorder;
  let bot: Server;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    [desk, connector] = await Promise.all([recorder(), recorder()]);
    app = createApp(settings(desk.url, { timeoutSeconds: 1 }), { today: () => '2026-11-22' });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await Promise.all([bot.close(), desk.close(), connector.close()]);
  });

  it('tells the customer, who leaves a message that stays on the case', async () => {
    const conversation = 'web-timeout-1';
    await customerSays(bot, connector, conversation, '转人工');
    const opened = await until(() => messages(connector).find((a) => a.channelData?.handoff));
    const caseNumber = caseNumberIn(opened.text ?? '');
    const notice = await until(() => messages(connector).find((a) => a.text?.includes('没能接入')), 4000);
    expect(notice.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
    expect(notice.text).toContain(`#${caseNumber}`);
    await until(() => deskPosts(desk).find((t) => t.includes(`#${caseNumber}`) && t.includes('无人接入')));

    const before = messages(connector).length;
    await customerSays(bot, connector, conversation, '我的域名是example.cn，请回电 13800138000');
    const left = await until(() => messages(connector).slice(before).find((a) => a.text?.includes('留言')));
    expect(left.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
    const atDesk = await until(() => deskPosts(desk).find((t) => t.includes('客户留言') && t.includes('example.cn')));
    expect(atDesk).toContain(`#${caseNumber}`);
    const lines = await app.handoff['options'].cases.lines(caseNumber);
    expect(lines.map((l) => l.text)).toContain('我的域名是example.cn，请回电 13800138000');
  });
});

describe('no agents’ desk configured (only the handoff.initiate event)', () => {
  let connector: Recorder;
  let bot: Server;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    connector = await recorder();
    const base = settings('http://127.0.0.1:9');
    app = createApp({ ...base, handoff: { ...base.handoff, dingTalkWebhook: undefined, dingTalkConversation: undefined } }, { today: () => '2026-11-22' });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await Promise.all([bot.close(), connector.close()]);
  });

  it('every message the customer sends while the case is open is acknowledged as kept on the case', async () => {
    const conversation = 'web-no-desk-1';
    await customerSays(bot, connector, conversation, '转人工');
    const opened = await until(() => messages(connector).find((a) => a.channelData?.handoff));
    const caseNumber = caseNumberIn(opened.text ?? '');
    const before = messages(connector).length;
    await customerSays(bot, connector, conversation, '还在吗？');
    const ack = await until(() => messages(connector).slice(before).find((a) => a.text?.includes(`#${caseNumber}`)));
    expect(ack.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });
    expect(ack.text).toContain('留言');
  });
});

describeRedis('two bot instances on one Redis relay both ways', () => {
  const redis = redisTestContext();
  let desk: Recorder;
  let groupSession: Recorder;
  let connector: Recorder;
  let a: Server;
  let b: Server;
  let apps: ReturnType<typeof createApp>[] = [];
  const saved = { url: process.env.REDIS_URL, prefix: process.env.REDIS_KEY_PREFIX };

  beforeAll(async () => {
    [desk, groupSession, connector] = await Promise.all([recorder(), recorder(), recorder()]);
    process.env.REDIS_URL = TEST_REDIS_URL;
    process.env.REDIS_KEY_PREFIX = redis.prefix;
    apps = [createApp(settings(desk.url), { today: () => '2026-11-22' }), createApp(settings(desk.url), { today: () => '2026-11-22' })];
    [a, b] = await Promise.all(apps.map((x) => listen(x.app)));
    await sleep(200); // both clients connected
  });
  afterAll(async () => {
    process.env.REDIS_URL = saved.url;
    process.env.REDIS_KEY_PREFIX = saved.prefix;
    if (saved.url === undefined) delete process.env.REDIS_URL;
    if (saved.prefix === undefined) delete process.env.REDIS_KEY_PREFIX;
    for (const x of apps) x.handoff.stop();
    await Promise.all([a.close(), b.close(), desk.close(), groupSession.close(), connector.close()]);
    // The Direct Line store holds its own subscriber connection: close it before the state's.
    await Promise.all(apps.map((x) => x.directLine.close()));
    await Promise.all(apps.map((x) => x.stateStore.close()));
    await redis.cleanup();
  });

  it('a case opened on one instance is relayed by the other, in both directions', async () => {
    const conversation = `web-redis-${Date.now()}`;
    await customerSays(a, connector, conversation, '转人工');
    const opened = await until(() => messages(connector).find((x) => x.channelData?.handoff));
    const caseNumber = caseNumberIn(opened.text ?? '');
    await desk.waitFor(1);

    // The agent's reply arrives at instance B, which reaches the customer through the connector.
    await agentSays(b, groupSession, `#${caseNumber} 你好，这里是人工客服`);
    await until(() => messages(connector).find((x) => x.text?.includes('这里是人工客服') && x.channelData?.from === 'agent'));

    // The customer's next message arrives at instance B too, and goes to the agents.
    await customerSays(b, connector, conversation, '我的证件是护照');
    await until(() => deskPosts(desk).find((t) => t.includes(`#${caseNumber} 客户`) && t.includes('护照')));

    // Closed from instance A, the case is closed everywhere.
    await agentSays(a, groupSession, `#${caseNumber} close`);
    await until(() => messages(connector).find((x) => x.text?.includes('已结束本次会话')));
    const before = messages(connector).length;
    await customerSays(b, connector, conversation, '你好');
    const back = await until(() => messages(connector).slice(before)[0]);
    expect(back.channelData?.intent).toBe('smalltalk.greeting');
  });
});

describe('a Teams channel as the agents’ desk', () => {
  const CHANNEL = '19:agents-desk@thread.tacv2';
  const TENANT = 'tenant-1';
  let teams: Recorder;
  let connector: Recorder;
  let bot: Server;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    [teams, connector] = await Promise.all([recorder(), recorder()]);
    const base = settings('http://127.0.0.1:9');
    const env = { HANDOFF_TEAMS_CONVERSATION: JSON.stringify({ serviceUrl: teams.url, conversation: { id: CHANNEL, tenantId: TENANT }, bot: { id: '28:bot', name: '实名助手' } }) };
    app = createApp({ ...base, handoff: { ...base.handoff, dingTalkWebhook: undefined, dingTalkConversation: undefined, teamsConversation: teamsDeskReference(env) } }, { today: () => '2026-11-22' });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await Promise.all([bot.close(), teams.close(), connector.close()]);
  });

  /** An agent's message in a thread of the desk channel, as Teams sends it: the bot @-mentioned, channel and tenant in channelData. */
  async function agentSaysInTeams(text: string, tenant = TENANT, channel = CHANNEL): Promise<void> {
    const mention = '<at>实名助手</at>';
    const res = await postMessage(bot.url, `${mention} ${text}`, {
      channelId: 'msteams',
      serviceUrl: teams.url,
      deliveryMode: undefined,
      from: { id: '29:agent-7', name: '客服小李', aadObjectId: 'aad-agent-7' },
      recipient: { id: '28:bot', name: '实名助手' },
      conversation: { id: `${channel};messageid=${++sequence}`, conversationType: 'channel', isGroup: true, tenantId: tenant },
      channelData: { channel: { id: channel }, team: { id: '19:team@thread.tacv2' }, tenant: { id: tenant } },
      entities: [{ type: 'mention', mentioned: { id: '28:bot', name: '实名助手' }, text: mention }],
      locale: 'zh-CN',
    });
    expect([200, 201, 202]).toContain(res.status);
  }

  /** What the bot posted to the desk channel itself (new posts), and what it answered in an agent's thread. */
  const posts = () => teams.bodies.map((b, i) => ({ body: b as Sent & { textFormat?: string }, url: decodeURIComponent(teams.urls[i]) }));
  const casePosts = () => posts().filter((p) => p.url.includes(`/v3/conversations/${CHANNEL}/activities`) && !p.url.includes(';messageid='));
  const threadAnswers = () => posts().filter((p) => p.url.includes(';messageid='));

  it('the case is posted to the channel proactively; an agent’s #n reply, the customer’s answer and #n close relay as with DingTalk', async () => {
    const conversation = 'web-teams-desk-1';
    await customerSays(bot, connector, conversation, `证件号码${ID_NUMBER}提示证件号码位数不正确`);
    await customerSays(bot, connector, conversation, '转人工');
    const notice = await until(() => messages(connector, conversation).find((a) => a.channelData?.handoff));
    const caseNumber = caseNumberIn(notice.text ?? '');
    expect(caseNumber).toBeGreaterThan(0);

    // The case, masked, as a markdown message in the configured channel, through the Bot Framework connector.
    const posted = await until(() => casePosts().find((p) => p.body.text?.includes(`#${caseNumber}`)));
    expect(posted.body.type).toBe('message');
    expect(posted.body.textFormat).toBe('markdown');
    expect(posted.body.text).toContain('110*************34');
    expect(JSON.stringify(teams.bodies)).not.toContain(ID_NUMBER);
    expect(posted.body.channelData).toMatchObject({ intent: 'handoff.human', handoff: true });

    // The agent answers in the channel: the customer receives it as from the agent, the agent's thread is told.
    const before = messages(connector, conversation).length;
    await agentSaysInTeams(`#${caseNumber} 您好，我是客服小李，请问是哪个域名？`);
    const relayed = await until(() => messages(connector, conversation).slice(before).find((a) => a.text?.includes('我是客服小李')));
    expect(relayed.text).toMatch(/^人工客服：/);
    expect(relayed.text).not.toContain('<at>');
    expect(relayed.channelData).toMatchObject({ intent: 'handoff.human', handoff: true, from: 'agent' });
    const ack = await until(() => threadAnswers().find((p) => p.body.text?.includes(`#${caseNumber} 已发给客户`)));
    expect(ack.body.channelData).toMatchObject({ intent: 'handoff.human' });

    // The customer's next message goes to the channel, masked, not to the bot.
    const repliesBefore = messages(connector, conversation).length;
    await customerSays(bot, connector, conversation, `example.com，证件号${ID_NUMBER}`);
    const forwarded = await until(() => casePosts().find((p) => p.body.text?.includes('example.com')));
    expect(forwarded.body.text).toContain(`#${caseNumber} 客户`);
    expect(forwarded.body.text).not.toContain(ID_NUMBER);
    await sleep(200);
    expect(messages(connector, conversation).length).toBe(repliesBefore);

    // Closing from Teams returns the customer to the bot.
    await agentSaysInTeams(`#${caseNumber} close`);
    await until(() => messages(connector, conversation).slice(repliesBefore).find((a) => a.text?.includes('已结束本次会话')));
    const backBefore = messages(connector, conversation).length;
    await customerSays(bot, connector, conversation, '注册者证件不完整');
    const answer = await until(() => messages(connector, conversation).slice(backBefore)[0]);
    expect(answer.channelData?.intent).toBe('domain.cert-incomplete');
  });

  it('a customer on the widget (Direct Line) gets the Teams agent’s reply in their transcript', async () => {
    const issued = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as { token: string };
    const widget = new DirectLineClient({ token: issued.token, domain: `${bot.url}/v3/directline`, webSocket: false, conversationStartProperties: { locale: 'zh-CN' } });
    try {
      await widget.until(() => widget.activities.some((a) => a.type === 'message' && a.from.role === 'bot'), 'the greeting');
      await widget.post({ type: 'message', text: '我要人工客服', locale: 'zh-CN' } as Parameters<DirectLineClient['post']>[0]);
      await widget.until(() => widget.texts().some((t) => /工单 \*\*#\d+/.test(t)), 'the case notice');
      const caseNumber = caseNumberIn(widget.texts().find((t) => /工单 \*\*#\d+/.test(t))!);
      await until(() => casePosts().find((p) => p.body.text?.includes(`#${caseNumber}`)));
      await agentSaysInTeams(`#${caseNumber} 您好，请发一下失败提示的截图`);
      await widget.until(() => widget.texts().some((t) => t.includes('请发一下失败提示的截图')), "the agent's reply");
      const relayed = widget.activities.find((a) => a.type === 'message' && a.text?.includes('请发一下失败提示的截图')) as { channelData?: Record<string, unknown> };
      expect(relayed.channelData).toMatchObject({ intent: 'handoff.human', handoff: true, from: 'agent' });
    } finally {
      widget.end();
    }
  });

  it('the same words from another tenant’s channel or another Teams conversation are not an agent’s reply', async () => {
    const conversation = 'web-teams-desk-2';
    await customerSays(bot, connector, conversation, '转人工');
    const notice = await until(() => messages(connector, conversation).find((a) => a.channelData?.handoff));
    const caseNumber = caseNumberIn(notice.text ?? '');
    const before = messages(connector, conversation).length;
    await agentSaysInTeams(`#${caseNumber} 来自别的租户`, 'tenant-other');
    await agentSaysInTeams(`#${caseNumber} 来自别的频道`, TENANT, '19:other-channel@thread.tacv2');
    await sleep(300);
    expect(messages(connector, conversation).slice(before).some((a) => /来自别的(租户|频道)/.test(a.text ?? ''))).toBe(false);
    // Still the desk's own channel: the case is open and the agent's reply arrives.
    await agentSaysInTeams(`#${caseNumber} 来自坐席`);
    await until(() => messages(connector, conversation).slice(before).find((a) => a.text?.includes('来自坐席')));
  });
});

describe('the DingTalk group and a Teams channel as desks together', () => {
  const CHANNEL = '19:both-desks@thread.tacv2';
  let desk: Recorder;
  let groupSession: Recorder;
  let teams: Recorder;
  let connector: Recorder;
  let bot: Server;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    [desk, groupSession, teams, connector] = await Promise.all([recorder(), recorder(), recorder(), recorder()]);
    const base = settings(desk.url);
    const teamsConversation = teamsDeskReference({ HANDOFF_TEAMS_CONVERSATION: CHANNEL, HANDOFF_TEAMS_SERVICE_URL: teams.url });
    app = createApp({ ...base, handoff: { ...base.handoff, teamsConversation } }, { today: () => '2026-11-22' });
    bot = await listen(app.app);
  });
  afterAll(async () => {
    app.handoff.stop();
    await Promise.all([bot.close(), desk.close(), groupSession.close(), teams.close(), connector.close()]);
  });

  const teamsTexts = () => (teams.bodies as Sent[]).map((b) => b.text ?? '');

  it('each case and customer message reaches both desks; an agent of either answers the case', async () => {
    const conversation = 'web-both-desks-1';
    await customerSays(bot, connector, conversation, '转人工');
    const notice = await until(() => messages(connector, conversation).find((a) => a.channelData?.handoff));
    const caseNumber = caseNumberIn(notice.text ?? '');
    await until(() => deskPosts(desk).find((t) => t.includes(`#${caseNumber}`)));
    await until(() => teamsTexts().find((t) => t.includes(`#${caseNumber}`)));

    // Answered from DingTalk; the customer's reply then reaches both desks.
    await agentSays(bot, groupSession, `#${caseNumber} 钉钉这边的客服来了`);
    await until(() => messages(connector, conversation).find((a) => a.text?.includes('钉钉这边的客服来了') && a.channelData?.from === 'agent'));
    await customerSays(bot, connector, conversation, '好的，谢谢');
    await until(() => deskPosts(desk).find((t) => t.includes(`#${caseNumber} 客户`) && t.includes('好的，谢谢')));
    await until(() => teamsTexts().find((t) => t.includes(`#${caseNumber} 客户`) && t.includes('好的，谢谢')));

    // Closed from Teams.
    const res = await postMessage(bot.url, `<at>实名助手</at> #${caseNumber} 结束`, {
      channelId: 'msteams',
      serviceUrl: teams.url,
      deliveryMode: undefined,
      from: { id: '29:agent-8', name: 'Agent' },
      recipient: { id: '28:bot', name: '实名助手' },
      conversation: { id: `${CHANNEL};messageid=77`, conversationType: 'channel', isGroup: true },
      channelData: { channel: { id: CHANNEL }, team: { id: '19:team@thread.tacv2' } },
      entities: [{ type: 'mention', mentioned: { id: '28:bot', name: '实名助手' }, text: '<at>实名助手</at>' }],
    });
    expect(res.status).toBeLessThan(300);
    await until(() => messages(connector, conversation).find((a) => a.text?.includes('已结束本次会话')));
  });
});
