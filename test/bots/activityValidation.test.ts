import { activityProblem, cutText, MAX_PASSED_TEXT_LENGTH, nestsDeeperThan } from '../../bots/activityValidation';
import { messageLimits } from '../../understanding/limits';

const activity = (extra: Record<string, unknown> = {}) => ({ type: 'message', text: 'hi', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, ...extra });

describe('activities accepted on /api/messages', () => {
  it('accepts a Bot Framework message, and cuts a text over the limit just past the longest message read', () => {
    const long = activity({ text: 'x'.repeat(12_000) });
    expect(activityProblem(long)).toBeUndefined();
    expect(long.text).toHaveLength(MAX_PASSED_TEXT_LENGTH);
    expect(MAX_PASSED_TEXT_LENGTH).toBe(messageLimits().messageMaxLength + 1);
  });

  it.each([
    ['no conversation id', { conversation: { id: '' } }, /conversation\/id/],
    ['no sender', { from: undefined }, /from/],
    ['a serviceUrl that is not a string', { serviceUrl: { toLowerCase: 1 } }, /serviceUrl/],
    ['a locale that is not a string', { locale: ['zh-CN'] }, /locale/],
    ['a channelId that is not a string', { channelId: 7 }, /channelId/],
    ['an id that is not a string', { id: { a: 1 } }, /id/],
    ['a replyToId that is not a string', { replyToId: 5 }, /replyToId/],
    ['a sender name that is not a string', { from: { id: 'u', name: 5 } }, /from\/name/],
    ['a recipient id that is not a string', { recipient: { id: [] } }, /recipient/],
    ['an attachment contentType that is not a string', { attachments: [{ contentType: 5, contentUrl: 'data:,x' }] }, /contentType/],
    ['an attachment contentUrl that is not a string', { attachments: [{ contentUrl: { href: 'x' } }] }, /contentUrl/],
    ['host context that is not an object of strings', { channelData: { context: { product: { x: 1 } } } }, /channelData/],
    ['a Teams team id that is not a string', { channelData: { team: { id: 5 } } }, /channelData/],
    ['a timestamp that is not a date', { timestamp: 'yesterday-ish' }, /timestamp/],
    ['an isGroup that is not a boolean', { conversation: { id: 'c', isGroup: 'yes' } }, /isGroup/],
    ['entities that are not objects', { entities: [null] }, /entities/],
    ['attachments that are not objects', { attachments: [null, 5] }, /attachments/],
    ['membersAdded that is not a list', { membersAdded: 'x' }, /membersAdded/],
    ['a value nested 5,000 deep', { value: JSON.parse('['.repeat(5000) + ']'.repeat(5000)) }, /nesting/],
  ])('refuses %s', (_name, extra, problem) => {
    expect(activityProblem(activity(extra))).toMatch(problem);
  });

  it('measures nesting without recursion', () => {
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: [1] }] }, 3)).toBe(true);
  });
});

describe('cutText: what every channel passes on of a message', () => {
  const limit = messageLimits().messageMaxLength;
  // What the reading measures (understanding/reading.ts: tooLong).
  const overLimit = (text: string) => text.trim().length > limit;

  it('keeps a text within the limit whole, blanks around it included', () => {
    const text = `  ${'证'.repeat(limit)}  `;
    expect(cutText(text)).toBe(text);
    expect(cutText('hi')).toBe('hi');
  });

  it.each([
    ['one long word', 'a'.repeat(250_000)],
    ['blanks before the words', `${' '.repeat(5000)}${'注册者证件不完整 '.repeat(500)}`],
    ['a blank where the cut falls', `${'x'.repeat(limit)}${' '.repeat(3000)}y`],
    ['blank lines between words', `${'a\n'.repeat(limit)}`],
  ])('cuts a text over the limit (%s) to at most MAX_PASSED_TEXT_LENGTH, still over the limit when read', (_name, text) => {
    const cut = cutText(text);
    expect(cut.length).toBeLessThanOrEqual(MAX_PASSED_TEXT_LENGTH);
    expect(overLimit(text)).toBe(true);
    expect(overLimit(cut)).toBe(true);
  });
});
