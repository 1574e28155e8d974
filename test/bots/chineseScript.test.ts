import { ActivityTypes, type Activity } from 'botbuilder';
import { renderFor } from '../../bots/channelRendering';
import { traditionalScriptOf } from '../../bots/chineseScript';

const reply = (): Partial<Activity> => ({
  type: ActivityTypes.Message,
  text: '请前往阿里云国际站注册域名，并在国际站完成实名认证。',
  suggestedActions: { to: [], actions: [{ type: 'imBack', title: '转人工客服', value: '转人工客服' }] },
});

describe('replies in the script the customer writes', () => {
  it('writes Chinese replies in traditional characters to a message in traditional Chinese', () => {
    const out = reply();
    renderFor({ type: ActivityTypes.Message, channelId: 'dingtalk', text: '我是澳門個人用戶，實名認證失敗' }, out);
    expect(out.text).toContain('請前往阿里雲國際站註冊域名');
    expect(out.text).toContain('轉人工客服');
  });

  it('follows a zh-TW or zh-HK client locale, also for a message without traditional characters', () => {
    expect(traditionalScriptOf({ locale: 'zh-TW', text: '好的' })).toBe('tw');
    expect(traditionalScriptOf({ locale: 'zh-HK', text: '个人' })).toBe('hk');
    const out = reply();
    renderFor({ type: ActivityTypes.Message, channelId: 'emulator', locale: 'zh-TW', text: '个人' }, out);
    expect(out.suggestedActions?.actions[0].title).toBe('轉人工客服');
  });

  it('leaves replies to simplified Chinese and to English as they are', () => {
    for (const incoming of [{ text: '我是澳门个人用户，实名认证失败', locale: 'zh-CN' }, { text: 'my verification failed', locale: 'en-US' }]) {
      const out = reply();
      renderFor({ type: ActivityTypes.Message, channelId: 'emulator', ...incoming }, out);
      expect(out.text).toBe(reply().text);
    }
  });
});

describe('traditional replies through the whole bot', () => {
  it('keeps a zh-TW client locale for the reply though the message is in simplified characters', async () => {
    const { BotHarness } = await import('../helpers/botHarness');
    const reply = await new BotHarness().last('域名实名提示注册者证件不清晰/被遮挡', { locale: 'zh-TW' });
    expect(reply.text).toMatch(/證件/);
    expect(reply.text).not.toMatch(/证件/);
  });
});
