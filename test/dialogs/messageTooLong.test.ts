import { BotHarness } from '../helpers/botHarness';
import { MAX_TEXT_LENGTH } from '../../understanding/normalize';
import { messageLimits } from '../../understanding/limits';

/** Issue #11: a message over the length limit (knowledge/limits.yaml) gets a clear reply in its language, and nothing of it is read. */
describe('a message over the length limit', () => {
  const limit = messageLimits().messageMaxLength;

  it('the limit is the data in knowledge/limits.yaml, and the reader stops there', () => {
    expect(MAX_TEXT_LENGTH).toBe(limit);
  });

  it('is told so in Chinese, with the limit, and the next message is answered as usual', async () => {
    const bot = new BotHarness();
    const long = `域名实名认证失败，提示注册者证件不完整。${'我的情况是这样的，'.repeat(Math.ceil(limit / 9))}`;
    const replies = await bot.say(long);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain(String(limit));
    expect(replies[0].text).toMatch(/太长/);
    expect(replies[0].intent).toBe('none');
    const next = await bot.last('注册者证件不完整');
    expect(next.intent).toBe('domain.cert-incomplete');
  });

  it('in English for an English message; exactly at the limit it is read', async () => {
    const bot = new BotHarness({ locale: 'en-US' });
    const [tooLong] = await bot.say(`The real-name verification failed. ${'Here is what happened to me. '.repeat(Math.ceil(limit / 29))}`);
    expect(tooLong.text).toMatch(/too long/);
    expect(tooLong.text).toContain(String(limit));
    const prompt = 'registrant certificate incomplete';
    const atLimit = await bot.last(`${prompt}${'.'.repeat(limit - prompt.length)}`);
    expect(atLimit.text).not.toMatch(/too long/);
  });

  it('at an open question: the notice, the question asked again, no detail taken from the long message', async () => {
    const bot = new BotHarness();
    const question = await bot.last('提示证件号码位数不正确');
    expect(question.slot).toBe('certType');
    const replies = await bot.say(`居民身份证${'，'.repeat(limit)}`);
    expect(replies.map((r) => r.text)[0]).toMatch(/太长/);
    expect(replies[replies.length - 1].slot).toBe('certType');
    const next = await bot.last('居民身份证');
    expect(next.slot).toBe('certNumber');
  });
});
