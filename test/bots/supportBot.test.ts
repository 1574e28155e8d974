import { ActivityTypes } from 'botbuilder';
import { BotHarness } from '../helpers/botHarness';

describe('support bot transcripts', () => {
  it('welcomes a new conversation in both languages', async () => {
    const bot = new BotHarness();
    const replies = await bot.send({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user1', name: 'User' }], recipient: { id: 'bot', name: 'bot' } });
    expect(replies).toHaveLength(1);
    expect(replies[0].intent).toBe('smalltalk.greeting');
    expect(replies[0].text).toMatch(/粘贴/);
    expect(replies[0].text).toMatch(/paste/i);
  });

  it('answers a pasted Chinese prompt in Chinese', async () => {
    const reply = await new BotHarness().last('审核结果：注册者证件不清晰/被遮挡');
    expect(reply.intent).toBe('domain.cert-unclear');
    expect(reply.score).toBeGreaterThan(0.7);
    expect(reply.text).toMatch(/清晰/);
  });

  it('answers an English prompt in English', async () => {
    const reply = await new BotHarness().last('It says "Unclear or covered photo of certificate". What should I do?');
    expect(reply.intent).toBe('domain.cert-unclear');
    expect(reply.text).toMatch(/clear/i);
    expect(reply.text).not.toMatch(/[\u4e00-\u9fff]{4}/);
  });

  it('answers in the activity locale when the text does not tell', async () => {
    const reply = await new BotHarness().last('55K~1M', { locale: 'en-US' });
    expect(reply.text).not.toMatch(/^[\u4e00-\u9fff]/);
  });

  it('clarifies a prompt shared by two products and continues to the chosen entry', async () => {
    const bot = new BotHarness();
    const question = await bot.last('提示请检查姓名和证件号是否正确');
    expect(question.intent).toBe('clarify');
    expect([...(question.candidates ?? [])].sort()).toEqual(['dayu.verify-failed-generic', 'icp.name-id-check']);
    expect(question.actions.length).toBe(2);
    const answer = await bot.last('大鱼号');
    expect(answer.intent).toBe('dayu.verify-failed-generic');
  });

  it('falls back politely on off-topic messages and offers a human', async () => {
    const reply = await new BotHarness().last('云服务器ECS怎么升级配置');
    expect(reply.intent).toBe('none');
    expect(reply.actions).toContain('转人工客服');
  });

  it('hands off to a human on request', async () => {
    const reply = await new BotHarness().last('帮我转人工客服');
    expect(reply.intent).toBe('handoff.human');
    expect((reply.activity.channelData as { handoff?: boolean }).handoff).toBe(true);
  });

  it('greets and says goodbye', async () => {
    const bot = new BotHarness();
    expect((await bot.last('你好')).intent).toBe('smalltalk.greeting');
    expect((await bot.last('好的谢谢，解决了')).intent).toBe('smalltalk.thanks');
  });

  it.each([
    ['empty text', { text: '' }],
    ['only an attachment', { text: undefined, attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:9/x.png', name: 'x.png' }] }],
    ['a 10,000-character message', { text: '实名认证失败'.repeat(1667) }],
    ['emoji only', { text: '😀🙏🔥' }],
    ['binary garbage', { text: '\u0000\u0001\ufffd\u0007��\u001b[31m' }],
  ])('replies clearly to bad input: %s', async (_name, extra) => {
    const replies = await new BotHarness().say((extra as { text?: string }).text ?? '', extra);
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) {
      expect(typeof r.intent).toBe('string');
      expect(typeof r.score).toBe('number');
      expect(r.text.length).toBeGreaterThan(0);
    }
  });

  it('puts the reply contract on every reply of a multi-turn conversation', async () => {
    const bot = new BotHarness();
    const turns = ['你好', '身份证是新办的，提示不在实名库中', '2026年11月15日', 'thanks'];
    for (const text of turns) {
      for (const reply of await bot.say(text)) {
        expect(reply.intent).toEqual(expect.any(String));
        expect(reply.score).toEqual(expect.any(Number));
      }
    }
  });

  it('takes the product from the host page instead of asking', async () => {
    const reply = await new BotHarness().last('提示请检查姓名和证件号是否正确', { channelData: { context: { product: 'ICP', site: 'intl' } } });
    expect(reply.intent).toBe('icp.name-id-check');
  });
});

describe('agent mode', () => {
  const agent = () => {
    const bot = new BotHarness({ settings: { agentConversations: new Set(['agents-room']) } });
    bot.adapter.template.conversation = { id: 'agents-room', isGroup: true, conversationType: 'channel', name: 'agents' };
    return bot;
  };

  it('shows both languages, the entry id, the confidence and the next candidates', async () => {
    const reply = await agent().last('注册者证件不完整');
    expect(reply.intent).toBe('domain.cert-incomplete');
    expect(reply.text).toMatch(/完整/);
    expect(reply.text).toMatch(/complete/i);
    expect(reply.text).toContain('domain.cert-incomplete');
  });

  it('looks entries up with /kb search and /kb show', async () => {
    const bot = agent();
    const search = await bot.last('/kb search 证件不清晰');
    expect(search.text).toContain('domain.cert-unclear');
    const show = await bot.last('/kb show domain.military');
    expect(show.text).toContain('国防机构');
    expect(show.text).toMatch(/military/i);
  });

  it('ignores /kb commands from customers', async () => {
    const reply = await new BotHarness().last('/kb show domain.military');
    expect(reply.text).not.toContain('**domain.military**');
  });

  it('takes a Teams team id from Teams only, not from channelData a web client wrote', async () => {
    const settings = { agentConversations: new Set(['agents-team']) };
    const forged = await new BotHarness({ settings, channelId: 'directline' }).last('/kb show domain.military', { channelData: { team: { id: 'agents-team' } } });
    expect(forged.text).not.toContain('**domain.military**');
    const teams = await new BotHarness({ settings, channelId: 'msteams' }).last('/kb show domain.military', { channelData: { team: { id: 'agents-team' } } });
    expect(teams.text).toContain('**domain.military**');
  });
});
