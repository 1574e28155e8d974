/**
 * Group conversations over /api/messages (Teams channels and group chats): every member has their own state,
 * and each reply mentions the member it answers.
 */
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { listen, postMessage } from '../helpers/servers';

interface Reply {
  text: string;
  entities?: { type: string; mentioned?: { id: string; name: string }; text?: string }[];
  channelData: { intent: string; slot?: string };
}

describe('group conversations (Teams channel)', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(createApp(readSettings({}), { today: () => '2026-11-22' }).app);
  });
  afterAll(() => server.close());

  const conversation = { id: `19:group-${Date.now()}@thread.tacv2`, isGroup: true, conversationType: 'channel' };
  const members = { a: { id: '29:member-a', name: 'Alice <A>' }, b: { id: '29:member-b', name: 'Bob' } };

  async function say(member: keyof typeof members, text: string, conv: object = conversation): Promise<Reply> {
    const res = await postMessage(server.url, text, { channelId: 'msteams', from: members[member], recipient: { id: '28:bot', name: 'bot' }, conversation: conv });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Reply[] }).activities.at(-1)!;
  }

  it("keeps each member's own conversation: B's date never answers A's question, and A's answer goes to A", async () => {
    expect((await say('a', '不在实名库中')).channelData.slot).toBe('issueDate');
    const b = await say('b', '上个月15号'); // read in B's own, empty conversation
    expect(b.text).not.toMatch(/2026年1月15日/);
    expect(b.entities?.find((e) => e.type === 'mention')?.mentioned?.id).toBe('29:member-b');
    const a = await say('a', '2026年1月5日'); // A's question is still open: B's date did not answer it
    expect(a.channelData.intent).toBe('domain.cert-new-or-not-in-db');
    expect(a.text).toMatch(/2026年1月15日/);
    expect(a.text).not.toMatch(/2026年10月/);
    expect(a.text.startsWith('<at>Alice &lt;A&gt;</at> ')).toBe(true);
    expect(a.entities).toContainEqual({ type: 'mention', mentioned: { id: '29:member-a', name: 'Alice <A>' }, text: '<at>Alice &lt;A&gt;</at>' });
  });

  it('in a one-to-one chat shares one state and mentions nobody', async () => {
    const personal = { id: `a:personal-${Date.now()}`, conversationType: 'personal' };
    expect((await say('a', '不在实名库中', personal)).channelData.slot).toBe('issueDate');
    const reply = await say('b', '2026年1月5日', personal); // another from.id in the same personal conversation: same state
    expect(reply.channelData.intent).toBe('domain.cert-new-or-not-in-db');
    expect(reply.entities ?? []).toEqual([]);
    expect(reply.text.startsWith('<at>')).toBe(false);
  });
});
