import { activityProblem, nestsDeeperThan } from '../../bots/activityValidation';

const activity = (extra: Record<string, unknown> = {}) => ({ type: 'message', text: 'hi', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, ...extra });

describe('activities accepted on /api/messages', () => {
  it('accepts a Bot Framework message, and cuts a text over 10,000 characters', () => {
    const long = activity({ text: 'x'.repeat(12_000) });
    expect(activityProblem(long)).toBeUndefined();
    expect(long.text).toHaveLength(10_000);
  });

  it.each([
    ['no conversation id', { conversation: { id: '' } }, /conversation\.id/],
    ['no sender', { from: undefined }, /from\.id/],
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
