import { MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import { isGroupConversation, MemberConversationState, stateKeyOf } from '../../storage/stateKey';

const activity = (conversation: Record<string, unknown>, from = 'u1'): Partial<Activity> => ({
  type: 'message',
  channelId: 'msteams',
  from: { id: from, name: from },
  conversation: conversation as unknown as Activity['conversation'],
});

describe('stateKeyOf', () => {
  it('is the conversation in a one-to-one chat, and the member within the conversation in a group', () => {
    expect(stateKeyOf(activity({ id: 'c1', conversationType: 'personal' }))).toBe('msteams/conversations/c1');
    expect(stateKeyOf(activity({ id: 'c1', isGroup: true }, 'a'))).toBe('msteams/conversations/c1/members/a');
    expect(stateKeyOf(activity({ id: 'c1', conversationType: 'channel' }, 'b'))).toBe('msteams/conversations/c1/members/b');
    expect(stateKeyOf(activity({ id: 'c1', conversationType: 'groupChat' }, 'b'))).toBe('msteams/conversations/c1/members/b');
    expect(stateKeyOf(activity({ id: 'c1', isGroup: true, conversationType: 'group' }, 'b'))).toBe('msteams/conversations/c1/members/b');
    expect(stateKeyOf(activity({ id: '' }))).toBeUndefined();
    expect(stateKeyOf({ type: 'message' })).toBeUndefined();
  });

  it('does not take a string "true" or an unknown type for a group', () => {
    expect(isGroupConversation(activity({ id: 'c', isGroup: 'true' }))).toBe(false);
    expect(isGroupConversation(activity({ id: 'c', conversationType: 'constructor' }))).toBe(false);
  });
});

describe('MemberConversationState', () => {
  it('keeps one state per member in a group and one per conversation otherwise', async () => {
    const storage = new MemoryStorage();
    const state = new MemberConversationState(storage);
    const note = state.createProperty<string>('note');
    const adapter = new TestAdapter(async (context) => {
      const before = await note.get(context);
      await note.set(context, context.activity.text ?? '');
      await state.saveChanges(context);
      await context.sendActivity(before ?? 'none');
    });
    const run = async (a: Partial<Activity>, text: string) => {
      adapter.activeQueue.splice(0);
      await adapter.processActivity({ ...a, text });
      return adapter.activeQueue.splice(0)[0].text;
    };
    const group = { id: 'g1', isGroup: true };
    expect(await run(activity(group, 'a'), 'from a')).toBe('none');
    expect(await run(activity(group, 'b'), 'from b')).toBe('none');
    expect(await run(activity(group, 'a'), 'again a')).toBe('from a');
    const personal = { id: 'p1' };
    expect(await run(activity(personal, 'a'), 'one')).toBe('none');
    expect(await run(activity(personal, 'b'), 'two')).toBe('one');
  });
});
