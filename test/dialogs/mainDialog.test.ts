import { BotHarness } from '../helpers/botHarness';

const TODAY = '2026-11-22';

describe('details dialog: tailored answers', () => {
  it('asks for the issue date of a new certificate and gives the resubmission date (zh)', async () => {
    const bot = new BotHarness({ today: TODAY });
    const question = await bot.last('身份证是新办的，提示不在实名库中');
    expect(question).toMatchObject({ intent: 'domain.cert-new-or-not-in-db', slot: 'issueDate' });
    const answer = await bot.last('2026年11月15日');
    expect(answer.intent).toBe('domain.cert-new-or-not-in-db');
    expect(answer.slot).toBeUndefined();
    expect(answer.text).toContain('2026-11-25');
  });

  it('never asks for an issue date the user already gave', async () => {
    const bot = new BotHarness({ today: TODAY });
    const replies = await bot.say('前天刚换的新身份证，实名认证提示不在实名库中');
    expect(replies.map((r) => r.slot).filter(Boolean)).toEqual([]);
    expect(replies[replies.length - 1].text).toContain('2026-11-30');
  });

  it.each([
    ['三天前', '2026-11-29'],
    ['上周五', '2026-11-23'],
    ['11月3号', '2026-11-13'],
    ['2026/11/15', '2026-11-25'],
  ])('reads the date "%s" and answers from %s', async (said, resubmit) => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('注册者身份证明资料为新颁发证件');
    const answer = await bot.last(said);
    expect(answer.text).toContain(resubmit);
  });

  it('reads English dates and answers in English', async () => {
    const bot = new BotHarness({ today: TODAY });
    const question = await bot.last('Verification failed: Newly issued certificate');
    expect(question.slot).toBe('issueDate');
    const answer = await bot.last('Nov 15');
    expect(answer.text).toContain('2026-11-25');
    expect(answer.text).toMatch(/November 25, 2026/);
  });

  it('says when the waiting period has passed and goes on to the other causes', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('不在实名库中');
    const answer = await bot.last('2026年10月1日');
    expect(answer.text).toContain('2026-10-11');
    expect(answer.text).toMatch(/现在|已/);
  });

  it('asks again for a future issue date', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('不在实名库中');
    const again = await bot.last('2026年12月20日');
    expect(again.slot).toBe('issueDate');
  });

  it('answers a follow-up that changes one detail of the last answer, without calling it out of scope', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('主办单位负责人姓名与工商信息库登记信息不一致');
    expect((await bot.last('广东')).text).toMatch(/广东要求/);
    const followUp = await bot.last('那北京呢');
    expect(followUp.intent).toBe('icp.principal-not-legal-rep');
    expect(followUp.text).toMatch(/北京目前不在/);
  });

  it('gives the answer again for "why?" after it, and forgets every detail on "start over"', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('不在实名库中');
    await bot.last('三天前');
    const why = await bot.last('为什么要等10天？');
    expect(why.intent).toBe('domain.cert-new-or-not-in-db');
    expect(why.text).toContain('2026-11-29');
    expect((await bot.last('重新开始')).intent).toBe('smalltalk.greeting');
    expect((await bot.last('不在实名库中')).slot).toBe('issueDate');
  });

  it('takes a correction of an earlier detail at a question, and asks only what is still missing', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('提交资料显示为海外用户');
    expect((await bot.last('香港')).slot).toBe('holderType');
    const answer = await bot.last('不对，是台湾');
    expect(answer.slot).toBeUndefined();
    expect(answer.text).toMatch(/中国台湾/);
    expect(answer.text).toMatch(/国际站/);
  });

  it('keeps the issue date when a follow-up asks about submitting on another date', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('不在实名库中');
    expect((await bot.last('11月18日')).text).toContain('2026-11-28');
    const followUp = await bot.last('那12月1号提交可以吗');
    expect(followUp.intent).toBe('domain.cert-new-or-not-in-db');
    expect(followUp.text).toContain('2026-11-28');
  });

  it('tells a Hong Kong individual on the international site that the site supports them, not the China-site verdict', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('提交资料显示为海外用户，我是香港个人');
    const answer = await bot.last('那国际站呢');
    expect(answer.intent).toBe('domain.overseas-user');
    expect(answer.text).toMatch(/阿里云国际站支持所有地区/);
    expect(answer.text).not.toMatch(/阿里云中国站支持中国香港个人/);
  });

  it('asks for the exact prompt when a message names the product and a failure but not which one', async () => {
    const bot = new BotHarness({ today: TODAY });
    const reply = await bot.last('域名实名认证失败了');
    expect(reply.intent).toBe('clarify');
    expect(reply.candidates!.every((id) => id.startsWith('domain.'))).toBe(true);
    expect(reply.text).toMatch(/失败提示原文/);
    expect(reply.actions.length).toBeGreaterThan(0);
    expect((await bot.last('1')).intent).toMatch(/^domain\./);
  });

  it('answers for each product when the user does not know where the shared prompt came from', async () => {
    const bot = new BotHarness({ today: TODAY });
    expect((await bot.last('请检查姓名和证件号是否正确')).intent).toBe('clarify');
    const replies = await bot.say('不知道');
    expect(replies[0].intent).toBe('clarify');
    expect(replies.slice(1).map((r) => r.intent).sort()).toEqual(['dayu.verify-failed-generic', 'icp.name-id-check']);
    expect(replies.some((r) => r.slot === 'product')).toBe(false);
  });

  it('tells a Hong Kong individual to use the international site, asking nothing already said', async () => {
    const bot = new BotHarness({ today: TODAY });
    const replies = await bot.say('提交资料显示为海外用户，我是香港的个人用户');
    expect(replies.map((r) => r.slot).filter(Boolean)).toEqual([]);
    expect(replies[replies.length - 1].text).toMatch(/国际站/);
  });

  it('asks region then holder type only when the holder type matters', async () => {
    const bot = new BotHarness({ today: TODAY });
    expect((await bot.last('提交资料显示为海外用户')).slot).toBe('region');
    expect((await bot.last('澳门')).slot).toBe('holderType');
    expect((await bot.last('公司')).text).toMatch(/中国站/);
    const taiwan = new BotHarness({ today: TODAY });
    await taiwan.last('提交资料显示为海外用户');
    const answer = await taiwan.last('台湾');
    expect(answer.slot).toBeUndefined();
    expect(answer.text).toMatch(/国际站/);
  });

  it('answers the legal-representative rule for the province', async () => {
    const bot = new BotHarness({ today: TODAY });
    expect((await bot.last('主办单位负责人姓名与工商信息库登记信息不一致')).slot).toBe('province');
    const guangdong = await bot.last('广东');
    expect(guangdong.intent).toBe('icp.principal-not-legal-rep');
    expect(guangdong.text).toMatch(/法定代表人/);
    const beijing = new BotHarness({ today: TODAY });
    await beijing.last('主办单位负责人姓名与工商信息库登记信息不一致');
    const answer = await beijing.last('北京');
    expect(answer.text).toMatch(/北京/);
  });

  it('uses the China site upload rule when the prompt names it', async () => {
    const replies = await new BotHarness({ today: TODAY }).say('上传时提示支持55K~1M的JPG、BMP图片');
    expect(replies.map((r) => r.slot).filter(Boolean)).toEqual([]);
    expect(replies[replies.length - 1].text).toMatch(/55K/);
  });

  it('points at a look-alike letter in a certificate number, masked, never echoing it whole', async () => {
    const bot = new BotHarness({ today: TODAY });
    expect((await bot.last('注册者证件类型选择错误或证件号码位数不正确')).slot).toBe('certType');
    expect((await bot.last('身份证')).slot).toBe('certNumber');
    const number = '11010519491231OO2X';
    const answer = await bot.last(number);
    expect(answer.text).not.toContain(number);
    expect(answer.text).not.toContain('11010519491231002X');
    expect(answer.text).toMatch(/O/);
    expect(answer.text).toMatch(/15/);
  });

  it('shows the holder name fields with and without the special marks', async () => {
    const answer = await new BotHarness({ today: TODAY }).last('提示联系人信息无效，我的名字是买买提·艾力');
    expect(answer.intent).toBe('domain.contact-invalid-special-chars');
    expect(answer.text).toContain('买买提·艾力');
    expect(answer.text).toContain('买买提艾力');
  });
});

describe('details dialog: interruptions', () => {
  async function atDateQuestion() {
    const bot = new BotHarness({ today: TODAY });
    expect((await bot.last('提示不在实名库中')).slot).toBe('issueDate');
    return bot;
  }

  it('cancels', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last('算了');
    expect(reply.slot).toBeUndefined();
    expect(reply.text).toMatch(/取消/);
  });

  it('starts over', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last('重新开始');
    expect(reply.slot).toBeUndefined();
    expect(reply.intent).toBe('smalltalk.greeting');
  });

  it('helps and asks the same question again', async () => {
    const bot = await atDateQuestion();
    const replies = await bot.say('帮助');
    expect(replies[replies.length - 1].slot).toBe('issueDate');
  });

  it('hands off to a human', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last('转人工');
    expect(reply.intent).toBe('handoff.human');
  });

  it('thanks and leaves', async () => {
    const bot = await atDateQuestion();
    expect((await bot.last('好的谢谢')).intent).toBe('smalltalk.thanks');
  });

  it('switches to a different failure prompt pasted at a question', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last('提交资料显示为海外用户');
    expect(reply.intent).toBe('domain.overseas-user');
  });

  it('gives the general answer when the user does not know', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last('不知道');
    expect(reply.slot).toBeUndefined();
    expect(reply.intent).toBe('domain.cert-new-or-not-in-db');
    expect(reply.text).toMatch(/10 个自然日|10个自然日/);
  });

  it('asks again once with an example, then answers in general', async () => {
    const bot = await atDateQuestion();
    expect((await bot.last('嗯嗯')).slot).toBe('issueDate');
    const reply = await bot.last('哦哦');
    expect(reply.slot).toBeUndefined();
    expect(reply.intent).toBe('domain.cert-new-or-not-in-db');
  });

  it('switches language when the user does', async () => {
    const bot = await atDateQuestion();
    const reply = await bot.last("I'm not sure, I don't remember");
    expect(reply.text).toMatch(/calendar days/);
  });

  it('remembers details for the rest of the conversation', async () => {
    const bot = new BotHarness({ today: TODAY });
    await bot.last('我是香港的个人用户');
    const replies = await bot.say('提交资料显示为海外用户');
    expect(replies.map((r) => r.slot).filter(Boolean)).toEqual([]);
  });
});
