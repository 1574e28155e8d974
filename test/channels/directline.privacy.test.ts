import type { Activity } from 'botbuilder';
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { listen } from '../helpers/servers';

const ID_NUMBER = '11010519491231002X';

/**
 * The Direct Line transcript is stored for the conversation's life (Redis when deployed) and shown again after a
 * reload: a certificate number the customer typed is kept there masked, while the bot still checks the whole number.
 */
describe('self-hosted Direct Line transcript and certificate numbers', () => {
  let bot: Awaited<ReturnType<typeof listen>>;
  let directLine: ReturnType<typeof createApp>['directLine'];

  beforeAll(async () => {
    const app = createApp(readSettings({}), { today: () => '2026-11-22' });
    directLine = app.directLine;
    bot = await listen(app.app);
  });
  afterAll(async () => {
    await directLine.close();
    await bot.close();
  });

  it('keeps the number masked in the transcript and its echo, and the bot reads it whole', async () => {
    const { token } = (await (await fetch(`${bot.url}/api/directline/token`, { method: 'POST' })).json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const { conversationId } = (await (await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers, body: '{"locale":"zh-CN"}' })).json()) as { conversationId: string };
    const base = `${bot.url}/v3/directline/conversations/${conversationId}/activities`;
    for (const text of ['域名实名认证提示库中无此号', '中国站', '个人', '身份证', `我的号码是${ID_NUMBER}`]) {
      const posted = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ type: 'message', from: { id: 'x' }, text }) });
      expect(posted.status).toBe(200);
    }
    const { activities } = (await (await fetch(base, { headers })).json()) as { activities: Partial<Activity>[] };
    const stored = JSON.stringify(await directLine.store.after(conversationId, undefined));
    expect(stored).not.toContain(ID_NUMBER);
    expect(JSON.stringify(activities)).not.toContain(ID_NUMBER);
    const own = activities.filter((a) => a.from?.role === 'user').at(-1)!;
    expect(own.text).toMatch(/^我的号码是110\*+2X$/);
    // The check needs every character: a masked number would not pass it.
    expect(activities.at(-1)!.text).toMatch(/位数和校验位都正确/);
  });
});
