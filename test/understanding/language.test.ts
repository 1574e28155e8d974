import { replyLanguage } from '../../understanding/language';

describe('reply language', () => {
  it('answers English framing around a pasted Chinese prompt in English', () => {
    expect(replyLanguage('the app keeps telling me 人脸核验采集人脸与公安库不一致 when I do the filing')).toBe('en');
    expect(replyLanguage('got this on my domain: 注册者证件不清晰/被遮挡, any idea?')).toBe('en');
  });

  it('keeps Chinese messages with English words, or prompts ending in English, Chinese', () => {
    expect(replyLanguage('注册联系人信息有误，请检测：XML schema validation failed')).toBe('zh');
    expect(replyLanguage('域名认证upload一直fail，说是格式不支持，我的图是webp的')).toBe('zh');
    expect(replyLanguage('大鱼号实名认证失败')).toBe('zh');
  });
});
