import { createApp } from '../index';
import { readSettings } from '../config/settings';
import { listen } from './helpers/servers';

function activity(text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: 'a1',
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9',
    deliveryMode: 'expectReplies',
    from: { id: 'u1' },
    recipient: { id: 'bot' },
    conversation: { id: `c-${Math.random()}` },
    text,
    ...extra,
  };
}

describe('HTTP server', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(createApp(readSettings({}), { today: () => '2026-11-22' }).app);
  });
  afterAll(() => server.close());

  const post = (body: string) => fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers over the Bot Framework protocol with the reply contract', async () => {
    const res = await post(JSON.stringify(activity('注册者证件不完整')));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: { channelData: { intent: string; score: number } }[] };
    expect(body.activities[0].channelData.intent).toBe('domain.cert-incomplete');
    expect(typeof body.activities[0].channelData.score).toBe('number');
  });

  it.each([
    ['invalid JSON', '{"type": "message", '],
    ['a JSON array', '[]'],
    ['no type', JSON.stringify({ conversation: { id: 'c' } })],
    ['no conversation', JSON.stringify({ type: 'message', text: 'hi' })],
    ['text that is not a string', JSON.stringify({ type: 'message', conversation: { id: 'c' }, text: { a: 1 } })],
  ])('refuses a malformed activity with 400: %s', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
  });

  it('exposes Prometheus metrics of turns and replies by intent', async () => {
    await post(JSON.stringify(activity('注册者证件不完整')));
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/bot_turn_seconds_count\{channel="emulator",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/bot_replies_total\{intent="[^"]+"\} [1-9]/);
  });

  it('reports health', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', storage: { storage: 'memory', reachable: true } });
  });
});

describe('with a Microsoft app id', () => {
  it('refuses requests without a valid Bot Framework token', async () => {
    const saved = { id: process.env.MicrosoftAppId, password: process.env.MicrosoftAppPassword };
    process.env.MicrosoftAppId = '00000000-0000-0000-0000-000000000001';
    process.env.MicrosoftAppPassword = 'not-a-real-password';
    const server = await listen(createApp(readSettings({})).app);
    try {
      const withoutToken = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('你好', { channelId: 'msteams' })) });
      expect(withoutToken.status).toBe(401);
      const forged = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJmb3JnZWQifQ.c2lnbmF0dXJl' },
        body: JSON.stringify(activity('你好', { channelId: 'msteams' })),
      });
      expect(forged.status).toBe(401);
    } finally {
      await server.close();
      process.env.MicrosoftAppId = saved.id;
      process.env.MicrosoftAppPassword = saved.password;
      if (saved.id === undefined) delete process.env.MicrosoftAppId;
      if (saved.password === undefined) delete process.env.MicrosoftAppPassword;
    }
  });
});
