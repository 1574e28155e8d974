import { linkUrls, reply } from '../../bots/replies';

describe('replies', () => {
  it('ends a bare URL at the full-width punctuation after it, as a markdown link', () => {
    expect(linkUrls('组代中心（https://www.cods.org.cn/），营业执照查')).toBe('组代中心（[https://www.cods.org.cn/](https://www.cods.org.cn/)），营业执照查');
    expect(linkUrls('(http://www.gsxt.gov.cn).')).toBe('([http://www.gsxt.gov.cn](http://www.gsxt.gov.cn)).');
  });

  it('leaves links that are already markdown alone', () => {
    expect(linkUrls('[here](https://a.example/b) or <https://c.example>')).toBe('[here](https://a.example/b) or <https://c.example>');
  });

  it('carries the reply contract and suggested actions', () => {
    const activity = reply('hi', { intent: 'smalltalk.greeting', score: 0.91234 }, ['a']);
    expect(activity.channelData).toEqual({ intent: 'smalltalk.greeting', score: 0.912 });
    expect(activity.suggestedActions?.actions.map((a) => a.value)).toEqual(['a']);
  });
});
