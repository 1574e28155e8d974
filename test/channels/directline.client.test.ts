/**
 * The self-hosted Direct Line driven by Microsoft's own client (botframework-directlinejs), over WebSocket and polling:
 * resuming after a reload, token refresh and expiry, uploads, and — with Redis — a restart and two instances.
 */
import * as net from 'net';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import { echoBot, startWidgetServer, type WidgetServer } from '../helpers/browser';
import { ConnectionStatus, DirectLineClient } from '../helpers/directLineClient';
import { TokenService } from '../../channels/directline/tokens';
import { RedisConversationStore } from '../../channels/directline/redisConversationStore';
import { describeRedis, redisTestContext, waitReady } from '../storage/redisTestSupport';

jest.setTimeout(30_000);

const SECRET = 'client-test-token-secret-of-32-characters';

/** The echo bot, and for a message with files: their type and size as the bot read them from the data: URL. */
async function logic(context: TurnContext): Promise<void> {
  const files = context.activity.type === ActivityTypes.Message ? (context.activity.attachments ?? []) : [];
  if (files.length) {
    const described = files.map((f) => `${f.name} ${f.contentType} ${Buffer.from(String(f.contentUrl).split(',')[1] ?? '', 'base64').length}`);
    await context.sendActivity({ type: ActivityTypes.Message, text: `files: ${described.join('; ')} / ${context.activity.text ?? ''}`, channelData: { intent: 'echo', score: 1 } });
    return;
  }
  await echoBot(context);
}

async function pageToken(server: WidgetServer, body?: unknown): Promise<{ status: number; body: { token: string; conversationId: string; domain: string; expires_in: number } }> {
  const res = await fetch(`${server.url}/api/directline/token`, { method: 'POST', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}

async function refresh(server: WidgetServer, token: string): Promise<{ status: number; body: { token?: string; error?: { code: string } } }> {
  const res = await fetch(`${server.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

const clients: DirectLineClient[] = [];
function client(options: ConstructorParameters<typeof DirectLineClient>[0]): DirectLineClient {
  const c = new DirectLineClient(options);
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.end();
});

describe.each([
  ['WebSocket', true],
  ['polling', false],
])('DirectLineJS over %s', (_name, webSocket) => {
  let server: WidgetServer;
  let clock = Date.now();
  beforeAll(async () => {
    server = await startWidgetServer({ runBot: logic, tokenSecret: SECRET, now: () => clock });
  });
  afterAll(() => server.close());

  test('a reload resumes by watermark: only what is new arrives, and the conversation goes on', async () => {
    const { body } = await pageToken(server);
    const first = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'en-US' } });
    await first.untilText('welcome (en-US)');
    await first.post({ type: 'message', text: 'hello' });
    await first.untilText('echo: hello');
    const watermark = first.watermark;
    const conversationId = body.conversationId;
    first.end();

    // What the widget keeps in sessionStorage: conversation id, token (refreshed on reload), watermark.
    const refreshed = await refresh(server, body.token);
    expect(refreshed.status).toBe(200);
    const second = client({ token: refreshed.body.token, domain: body.domain, conversationId, watermark, webSocket });
    await second.post({ type: 'message', text: 'after reload' });
    await second.untilText('echo: after reload');
    expect(second.texts()).toEqual(['user:after reload', 'bot:echo: after reload']);

    // Without a watermark the same conversation replays its history (what the page shows after a reload).
    const history = client({ token: refreshed.body.token, domain: body.domain, conversationId, webSocket });
    await history.untilText('echo: after reload');
    expect(history.texts()).toEqual(['bot:welcome (en-US)', 'user:hello', 'bot:echo: hello', 'user:after reload', 'bot:echo: after reload']);
  });

  test('a refreshed token keeps working after the first one expired; the expired one moves the client to ExpiredToken', async () => {
    const { body } = await pageToken(server);
    const dl = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'en-US' } });
    await dl.untilText('welcome (en-US)');
    clock += 20 * 60 * 1000;
    const refreshed = await refresh(server, body.token);
    expect(refreshed.status).toBe(200);

    clock += 15 * 60 * 1000; // 35 minutes: the first token (30 minutes) has expired, the refreshed one has not
    expect(await refresh(server, body.token)).toEqual({ status: 403, body: { error: { code: 'TokenExpired', message: expect.any(String) } } });
    // Posting with the expired token: Direct Line's 403 TokenExpired, which DirectLineJS reports as ExpiredToken.
    await dl.post({ type: 'message', text: 'too late' }).catch(() => undefined);
    await dl.untilStatus(ConnectionStatus.ExpiredToken);

    const fresh = client({ token: refreshed.body.token as string, domain: body.domain, conversationId: body.conversationId, watermark: dl.watermark, webSocket });
    await fresh.post({ type: 'message', text: 'still here' });
    await fresh.untilText('echo: still here');
    expect(fresh.status).toBe(ConnectionStatus.Online);
  });

  test('an expired token is resumed through the page token route while the conversation is stored', async () => {
    const { body } = await pageToken(server);
    const dl = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'zh-CN' } });
    await dl.untilText('welcome (zh-CN)');
    dl.end();
    clock += 2 * 60 * 60 * 1000; // a customer back after two hours
    const resumed = await pageToken(server, { resume: body.token });
    expect(resumed.status).toBe(200);
    expect(resumed.body.conversationId).toBe(body.conversationId);
    const back = client({ token: resumed.body.token, domain: body.domain, conversationId: body.conversationId, webSocket });
    await back.post({ type: 'message', text: '我回来了' });
    await back.untilText('echo: 我回来了');
    expect(back.texts()[0]).toBe('bot:welcome (zh-CN)');
    // A forged or foreign token resumes nothing.
    const foreign = new TokenService('another-secret-of-at-least-32-characters!!').sign({ conv: body.conversationId, user: 'dl_x' }, 600);
    expect((await pageToken(server, { resume: foreign })).status).toBe(404);
    expect((await pageToken(server, { resume: 42 })).status).toBe(400);
  });

  test('an image posted with the message is uploaded (multipart) and reaches the bot as a data: URL', async () => {
    const { body } = await pageToken(server);
    const dl = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'en-US' } });
    await dl.untilText('welcome (en-US)');
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2000, 7)]);
    await dl.post({ type: 'message', text: 'my licence', attachments: [{ contentType: 'image/png', name: 'licence.png', contentUrl: `data:image/png;base64,${png.toString('base64')}` }] });
    await dl.untilText('files: licence.png image/png 2008 / my licence');
    const echo = dl.activities.find((a) => a.type === 'message' && a.from.role === 'user');
    // Small enough, the picture is its own thumbnail: Web Chat shows a customer's attachment as a picture only with one.
    const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
    expect((echo as { attachments?: unknown[] } | undefined)?.attachments?.[0]).toEqual({ contentType: 'image/png', name: 'licence.png', contentUrl: dataUrl, thumbnailUrl: dataUrl });
  });

  test("a phone photo (over the transcript's size) keeps its image type and the client's thumbnail, so it shows as a picture", async () => {
    const { body } = await pageToken(server);
    const dl = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'zh-CN' } });
    await dl.untilText('welcome (zh-CN)');
    const photo = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(900 * 1024, 3)]);
    const thumbnail = `data:image/jpeg;base64,${Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(3000, 5)]).toString('base64')}`;
    const elsewhere = 'https://attacker.example/pixel.png';
    await dl.post({
      type: 'message',
      attachments: [
        { contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: `data:image/jpeg;base64,${photo.toString('base64')}`, thumbnailUrl: thumbnail },
        { contentType: 'image/png', name: 'other.png', contentUrl: `data:image/png;base64,${Buffer.alloc(200 * 1024, 1).toString('base64')}`, thumbnailUrl: elsewhere },
      ],
    } as Parameters<DirectLineClient['post']>[0]);
    await dl.untilText(`files: photo.jpg image/jpeg ${photo.length}; other.png image/png ${200 * 1024} / `);
    const echo = dl.activities.find((a) => a.type === 'message' && a.from.role === 'user') as { attachments?: Record<string, unknown>[] } | undefined;
    expect(echo?.attachments?.[0]).toEqual({ contentType: 'image/jpeg', name: 'photo.jpg', thumbnailUrl: thumbnail });
    // A thumbnail pointing elsewhere is dropped: the file kept (small) is shown, nothing is fetched from the sender's URL.
    expect(echo?.attachments?.[1]).toMatchObject({ contentType: 'image/png', name: 'other.png' });
    expect(JSON.stringify(echo)).not.toContain(elsewhere);
  });
});

describe('upload endpoint', () => {
  let server: WidgetServer;
  beforeAll(async () => {
    server = await startWidgetServer({ runBot: logic, tokenSecret: SECRET, attachmentMaxBytes: 4096 });
  });
  afterAll(() => server.close());

  async function started(): Promise<{ token: string; conversationId: string }> {
    const { body } = await pageToken(server);
    const res = await fetch(`${server.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
    expect(res.status).toBe(201);
    return body;
  }

  function upload(conversationId: string, token: string, form: FormData | string, type?: string) {
    return fetch(`${server.url}/v3/directline/conversations/${conversationId}/upload?userId=dl_whoever`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
      body: form,
    });
  }

  test('a file without an activity part is a message with that file; above ATTACHMENT_MAX_BYTES is 413', async () => {
    const { token, conversationId } = await started();
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(100, 1)], { type: 'image/jpeg' }), 'a.jpg');
    const ok = await upload(conversationId, token, form);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }).id).toMatch(/\|\d{7}$/);

    const big = new FormData();
    big.append('activity', new Blob([JSON.stringify({ type: 'message', text: 'big' })], { type: 'application/vnd.microsoft.activity' }));
    big.append('file', new Blob([Buffer.alloc(5000, 1)], { type: 'image/jpeg' }), 'big.jpg');
    const tooBig = await upload(conversationId, token, big);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({ error: { code: 'MessageSizeTooBig', message: expect.any(String) } });

    const activities = (await (await fetch(`${server.url}/v3/directline/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } })).json()) as { activities: { text?: string }[] };
    expect(activities.activities.map((a) => a.text)).toEqual(['welcome (no locale)', undefined, 'files: a.jpg image/jpeg 100 / ']);
  });

  test("another conversation's token gets 403, no token 401, a body that is not multipart 400, an activity part that is not a message 400", async () => {
    const mine = await started();
    const other = await started();
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([Buffer.alloc(10, 1)], { type: 'image/png' }), 'x.png');
      return f;
    };
    expect((await upload(mine.conversationId, other.token, form())).status).toBe(403);
    expect((await upload(mine.conversationId, 'nonsense', form())).status).toBe(401);
    expect((await upload(mine.conversationId, mine.token, '{"type":"message"}', 'application/json')).status).toBe(400);
    const event = form();
    event.append('activity', new Blob([JSON.stringify({ type: 'event', name: 'x' })], { type: 'application/vnd.microsoft.activity' }));
    expect((await upload(mine.conversationId, mine.token, event)).status).toBe(400);
  });

  test.each([
    ['cut off inside a file', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc'],
    ['cut off inside the activity part', '--x\r\nContent-Disposition: form-data; name="activity"; filename="blob"\r\nContent-Type: application/vnd.microsoft.activity\r\n\r\n{"type":'],
    ['cut off in a part header', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Ty'],
  ])('a multipart body %s gets 400, and the process keeps answering', async (_name, body) => {
    const { token, conversationId } = await started();
    const res = await upload(conversationId, token, body, 'multipart/form-data; boundary=x');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadArgument');
    const after = new FormData();
    after.append('file', new Blob([Buffer.alloc(10, 1)], { type: 'image/png' }), 'x.png');
    expect((await upload(conversationId, token, after)).status).toBe(200);
  });
});

describe('stream upgrades after a token expired', () => {
  test('clients resetting their sockets after an expired ticket is refused cannot end the process', async () => {
    let clock = Date.now();
    const server = await startWidgetServer({ runBot: logic, tokenSecret: SECRET, now: () => clock });
    try {
      const { body } = await pageToken(server);
      const res = await fetch(`${server.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${body.token}` } });
      const { streamUrl } = (await res.json()) as { streamUrl: string };
      clock += 60 * 60 * 1000;
      const { port, pathname, search } = new URL(streamUrl);
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        answers.push(
          await new Promise<string>((resolve) => {
            const socket = net.connect(Number(port), '127.0.0.1', () => {
              socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
              // Half the clients reset at once, the others after reading the refusal: both as DirectLineJS does.
              if (i % 2) setImmediate(() => (socket.resetAndDestroy(), resolve('reset')));
            });
            socket.on('data', (d) => {
              const text = d.toString();
              socket.resetAndDestroy();
              resolve(text.split('\r\n')[0]);
            });
            socket.on('error', () => resolve('error'));
          }),
        );
      }
      expect(answers.filter((a) => a.startsWith('HTTP'))).toEqual(Array(answers.filter((a) => a.startsWith('HTTP')).length).fill('HTTP/1.1 403 Forbidden'));
      expect(answers.filter((a) => a.startsWith('HTTP')).length).toBeGreaterThanOrEqual(10);
      await new Promise((r) => setTimeout(r, 100));
      expect((await pageToken(server)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describeRedis('Direct Line conversations in Redis', () => {
  const redis = redisTestContext();
  afterAll(() => redis.cleanup());

  /** Which instance ran each turn. */
  const turns: string[] = [];
  async function instance(name = 'bot'): Promise<WidgetServer> {
    const client = redis.newClient();
    await waitReady(client);
    // No token secret: the signing key is the one kept in Redis, the same for every instance and after a restart.
    return startWidgetServer({
      runBot: (context) => (turns.push(`${name}:${context.activity.text ?? context.activity.type}`), logic(context)),
      store: new RedisConversationStore(client, { keyPrefix: redis.prefix, ttlSeconds: 600, maxActivities: 500 }),
    });
  }

  test.each([
    ['WebSocket', true],
    ['polling', false],
  ])('a conversation survives a bot restart (%s)', async (_name, webSocket) => {
    const before = await instance();
    const { body } = await pageToken(before);
    const dl = client({ token: body.token, domain: body.domain, webSocket, conversationStartProperties: { locale: 'en-US' } });
    await dl.untilText('welcome (en-US)');
    await dl.post({ type: 'message', text: 'before restart' });
    await dl.untilText('echo: before restart');
    dl.end();
    await before.close();

    const after = await instance();
    try {
      const domain = `${after.url}/v3/directline`;
      const refreshed = await refresh(after, body.token);
      expect(refreshed.status).toBe(200);
      const back = client({ token: refreshed.body.token as string, domain, conversationId: body.conversationId, webSocket });
      await back.post({ type: 'message', text: 'after restart' });
      await back.untilText('echo: after restart');
      expect(back.textsInOrder()).toEqual(['bot:welcome (en-US)', 'user:before restart', 'bot:echo: before restart', 'user:after restart', 'bot:echo: after restart']);
    } finally {
      await after.close();
    }
  });

  test("two instances share a conversation: a message posted to one reaches the other's WebSocket", async () => {
    const [a, b] = [await instance('A'), await instance('B')];
    turns.length = 0;
    try {
      const { body } = await pageToken(a);
      const onA = client({ token: body.token, domain: `${a.url}/v3/directline`, conversationStartProperties: { locale: 'en-US' } });
      await onA.untilText('welcome (en-US)');
      // The same conversation's stream held by instance B, while the messages go to A.
      const onB = client({ token: body.token, domain: `${b.url}/v3/directline`, conversationId: body.conversationId, watermark: onA.watermark });
      await onB.untilStatus(ConnectionStatus.Online);
      await new Promise((r) => setTimeout(r, 300)); // B's socket is open and subscribed
      await onA.post({ type: 'message', text: 'through A' });
      await onB.untilText('echo: through A');
      expect(onB.texts()).toEqual(['user:through A', 'bot:echo: through A']);
      expect(turns).toEqual(['A:conversationUpdate', 'A:through A']); // B ran no turn: the echo reached it over Redis
    } finally {
      await a.close();
      await b.close();
    }
  });
});
