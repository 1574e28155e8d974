import * as net from 'net';
import WebSocket from 'ws';
import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { echoBot, startWidgetServer, type WidgetServer } from '../helpers/browser';
import { TokenService } from '../../channels/directline/tokens';
import { MemoryConversationStore } from '../../channels/directline/conversationStore';
import { clientActivityProblem } from '../../channels/directline/activityValidation';
import { MAX_PASSED_TEXT_LENGTH } from '../../bots/activityValidation';

const SECRET = 'test-token-secret-of-at-least-32-characters';
const API_SECRET = 'server-side-api-secret';

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}
type ActivitySet = { activities: Partial<Activity>[]; watermark: string };
type Started = { conversationId: string; token: string; expires_in: number; streamUrl: string };

let server: WidgetServer;
let clock = Date.now();
const hostContexts: unknown[] = [];
const turnErrors: string[] = [];

/** The echo bot plus what the widget tests need: it records host context, fails on "boom", edits and deletes on request. */
async function logic(context: TurnContext): Promise<void> {
  const activity = context.activity;
  if (activity.type === ActivityTypes.Event && activity.name === 'context') hostContexts.push(activity.value);
  if (activity.type === ActivityTypes.Message && (activity.channelData as { context?: unknown })?.context) hostContexts.push((activity.channelData as { context?: unknown }).context);
  if (activity.text === 'boom') throw new Error('bot failure');
  if (activity.text === 'edit') {
    const sent = await context.sendActivity('draft');
    await context.updateActivity({ ...context.activity, type: ActivityTypes.Message, id: sent?.id, text: 'final', from: undefined, recipient: undefined });
    return;
  }
  if (activity.text === 'retract') {
    const sent = await context.sendActivity('oops');
    await context.deleteActivity(sent!.id);
    return;
  }
  if (activity.text === 'whoami') {
    await context.sendActivity(`${activity.from.id} ${activity.from.role} ${activity.channelId} ${activity.serviceUrl} ${activity.locale}`);
    return;
  }
  await echoBot(context);
}

/** Middleware from the list given to mountDirectLine: it marks every reply, so the test sees it ran. */
const marker: Middleware = {
  onTurn: async (context, next) => {
    context.onSendActivities(async (_ctx, activities, send) => {
      for (const a of activities) if (a.type === ActivityTypes.Message) a.channelData = { ...(a.channelData ?? {}), marked: true };
      return send();
    });
    await next();
  },
};

async function call<T = Record<string, unknown>>(method: string, path: string, token?: string, body?: unknown, raw?: string): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

async function newToken(): Promise<{ token: string; conversationId: string; domain: string }> {
  const answer = await call<{ token: string; conversationId: string; domain: string }>('POST', '/api/directline/token');
  expect(answer.status).toBe(200);
  return answer.body;
}

async function startConversation(locale = 'en-US'): Promise<Started> {
  const { token } = await newToken();
  const answer = await call<Started>('POST', '/v3/directline/conversations', token, { locale });
  expect(answer.status).toBe(201);
  return answer.body;
}

function say(conversation: Started, text: string, extra: Partial<Activity> = {}): Promise<Answer<{ id: string; error?: { message: string } }>> {
  return call('POST', `/v3/directline/conversations/${conversation.conversationId}/activities`, conversation.token, {
    type: 'message',
    from: { id: 'someone-else', name: 'Visitor' },
    text,
    locale: 'en-US',
    ...extra,
  });
}

async function read(conversation: Started, watermark?: string): Promise<ActivitySet> {
  const answer = await call<ActivitySet>('GET', `/v3/directline/conversations/${conversation.conversationId}/activities${watermark !== undefined ? `?watermark=${watermark}` : ''}`, conversation.token);
  expect(answer.status).toBe(200);
  return answer.body;
}

const texts = (set: ActivitySet) => set.activities.filter((a) => a.type === 'message').map((a) => `${a.from?.role}:${a.text}`);

/** A stream client that keeps every activity set it receives. */
function openStream(url: string): Promise<{ ws: WebSocket; sets: ActivitySet[]; until: (test: (all: Partial<Activity>[]) => boolean, ms?: number) => Promise<Partial<Activity>[]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const sets: ActivitySet[] = [];
    ws.on('message', (data) => {
      const text = data.toString();
      if (text) sets.push(JSON.parse(text) as ActivitySet);
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        sets,
        until: async (test, ms = 5000) => {
          const end = Date.now() + ms;
          for (;;) {
            const all = sets.flatMap((s) => s.activities);
            if (test(all)) return all;
            if (Date.now() > end) throw new Error(`stream did not deliver the expected activities; got ${JSON.stringify(all.map((a) => a.text))}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
      }),
    );
  });
}

function streamStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => undefined);
  });
}

beforeAll(async () => {
  server = await startWidgetServer({
    runBot: logic,
    middleware: [marker],
    onTurnError: async (context, error) => {
      turnErrors.push(error.message);
      await context.sendActivity('sorry, something went wrong');
    },
    tokenSecret: SECRET,
    apiSecret: API_SECRET,
    now: () => clock,
  });
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  clock = Date.now();
});

describe('self-hosted Direct Line: conversations and activities', () => {
  test('a page token starts its conversation; the bot welcomes in the start locale; GET returns the transcript with a watermark', async () => {
    const token = await newToken();
    expect(token.domain).toBe(`${server.url}/v3/directline`);
    const started = await call<Started>('POST', '/v3/directline/conversations', token.token, { locale: 'zh-CN' });
    expect(started.status).toBe(201);
    expect(started.body.conversationId).toBe(token.conversationId);
    expect(started.body.expires_in).toBe(1800);
    expect(started.body.streamUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:\\d+/v3/directline/conversations/${token.conversationId}/stream\\?t=`));
    const again = await call<Started>('POST', '/v3/directline/conversations', token.token, {});
    expect(again.status).toBe(200);
    expect(again.body.conversationId).toBe(token.conversationId);
    const transcript = await read(started.body);
    expect(texts(transcript)).toEqual(['bot:welcome (zh-CN)']);
    expect(transcript.watermark).toBe('1');
  });

  test('a message is echoed, then answered with the reply contract; ?watermark= returns only what is new', async () => {
    const conversation = await startConversation();
    const before = await read(conversation);
    const posted = await say(conversation, 'hello');
    expect(posted.status).toBe(200);
    expect(posted.body.id).toMatch(new RegExp(`^${conversation.conversationId}\\|\\d{7}$`));

    const after = await read(conversation, before.watermark);
    expect(texts(after)).toEqual(['user:hello', 'bot:echo: hello']);
    const [echo, reply] = after.activities;
    expect(echo.id).toBe(posted.body.id);
    expect(echo.from?.id).toMatch(/^dl_/);
    expect(echo.from?.name).toBe('Visitor');
    expect(reply.channelData).toEqual({ intent: 'echo', score: 1, marked: true });
    expect(reply.replyToId).toBe(posted.body.id);
    expect(reply.from).toMatchObject({ id: 'bot', role: 'bot' });
    expect(typeof reply.id).toBe('string');
    expect(Date.parse(String(reply.timestamp))).toBeGreaterThan(0);
    expect(Number(after.watermark)).toBe(Number(before.watermark) + 2);
    expect((await read(conversation, after.watermark)).activities).toEqual([]);
  });

  test('the bot sees a directline activity: the token user (not the posted from.id), this serviceUrl, the locale', async () => {
    const conversation = await startConversation();
    await say(conversation, 'whoami', { locale: 'zh-CN' });
    const transcript = await read(conversation);
    const answer = transcript.activities[transcript.activities.length - 1].text ?? '';
    expect(answer).toMatch(new RegExp(`^dl_\\S+ user directline ${server.url.replace(/\./g, '\\.')} zh-CN$`));
  });

  test('the WebSocket stream replays after the watermark, then pushes the echo and the reply with suggested actions', async () => {
    const conversation = await startConversation();
    const stream = await openStream(conversation.streamUrl);
    try {
      await stream.until((all) => all.some((a) => a.text === 'welcome (en-US)'));
      expect(await say(conversation, 'choices')).toMatchObject({ status: 200 });
      const all = await stream.until((a) => a.some((x) => x.text === 'Pick a colour'));
      const fromUser = all.find((a) => a.text === 'choices');
      expect(fromUser?.from?.role).toBe('user');
      const reply = all.find((a) => a.text === 'Pick a colour')!;
      expect(reply.suggestedActions?.actions.map((a) => a.title)).toEqual(['Red', 'Blue']);
      expect(reply.channelData).toMatchObject({ intent: 'echo', score: 1 });
      expect(stream.sets[stream.sets.length - 1].watermark).toBe((await read(conversation)).watermark);
    } finally {
      stream.ws.close();
    }

    // Reconnecting (GET /conversations/:id?watermark=) gives a stream that starts after what was already seen.
    const seen = (await read(conversation)).watermark;
    const reconnect = await call<Started>('GET', `/v3/directline/conversations/${conversation.conversationId}?watermark=${seen}`, conversation.token);
    expect(reconnect.status).toBe(200);
    expect(reconnect.body.streamUrl).toContain(`watermark=${seen}`);
    const resumed = await openStream(reconnect.body.streamUrl);
    try {
      await say(conversation, 'after reconnect');
      const all = await resumed.until((a) => a.some((x) => x.text === 'echo: after reconnect'));
      expect(all.map((a) => a.text)).toEqual(['after reconnect', 'echo: after reconnect']);
    } finally {
      resumed.ws.close();
    }
  });

  test('host context in channelData and the context event reach the bot', async () => {
    const conversation = await startConversation();
    hostContexts.length = 0;
    const event = await call('POST', `/v3/directline/conversations/${conversation.conversationId}/activities`, conversation.token, {
      type: 'event',
      name: 'context',
      value: { product: 'icp', site: 'china', locale: 'zh-CN' },
    });
    expect(event.status).toBe(200);
    await say(conversation, 'hi', { channelData: { clientActivityID: 'abc', context: { product: 'domain' } } });
    expect(hostContexts).toEqual([{ product: 'icp', site: 'china', locale: 'zh-CN' }, { product: 'domain' }]);
    const echo = (await read(conversation)).activities.find((a) => a.text === 'hi');
    expect(echo?.channelData).toEqual({ clientActivityID: 'abc', context: { product: 'domain' } });
  });

  test('a message re-posted with the same clientActivityID (a lost response) is answered with the same id and kept once', async () => {
    const conversation = await startConversation();
    const first = await say(conversation, 'sent twice', { channelData: { clientActivityID: 'retry-1' } });
    const again = await say(conversation, 'sent twice', { channelData: { clientActivityID: 'retry-1' } });
    expect(again.body.id).toBe(first.body.id);
    const kept = (await read(conversation)).activities.filter((a) => a.text === 'sent twice');
    expect(kept).toHaveLength(1);
  });

  test('a failing turn goes to onTurnError and its reply still reaches the user', async () => {
    const conversation = await startConversation();
    turnErrors.length = 0;
    expect((await say(conversation, 'boom')).status).toBe(200);
    expect(turnErrors).toEqual(['bot failure']);
    expect(texts(await read(conversation)).slice(-1)).toEqual(['bot:sorry, something went wrong']);
  });

  test('the bot can update and delete what it sent; readers get the new version with the same id', async () => {
    const conversation = await startConversation();
    const start = (await read(conversation)).watermark;
    await say(conversation, 'edit');
    const edited = await read(conversation, start);
    expect(texts(edited)).toEqual(['user:edit', 'bot:final']);

    const mark = edited.watermark;
    await say(conversation, 'retract');
    const afterDelete = await read(conversation, mark);
    expect(afterDelete.activities.map((a) => `${a.type}:${a.text ?? ''}`)).toEqual(['message:retract', 'messageDelete:']);
    expect(texts(await read(conversation))).not.toContain('bot:oops');
  });

  test('tokens/generate is for servers holding the API secret; with it a server can also start a conversation', async () => {
    expect((await call('POST', '/v3/directline/tokens/generate')).status).toBe(401);
    expect((await call('POST', '/v3/directline/tokens/generate', 'wrong-secret')).status).toBe(401);
    const generated = await call<{ token: string; conversationId: string; expires_in: number }>('POST', '/v3/directline/tokens/generate', API_SECRET, { user: { id: 'dl_customer42' } });
    expect(generated.status).toBe(200);
    expect(generated.body.expires_in).toBe(1800);
    const payload = JSON.parse(Buffer.from(generated.body.token.split('.')[1], 'base64url').toString()) as { user: string; conv: string };
    expect(payload).toMatchObject({ user: 'dl_customer42', conv: generated.body.conversationId });
    expect((await call('POST', '/v3/directline/tokens/generate', API_SECRET, { user: { id: 'bad id!' } })).status).toBe(400);

    const bySecret = await call<Started>('POST', '/v3/directline/conversations', API_SECRET, {});
    expect(bySecret.status).toBe(201);
    expect(bySecret.body.token).not.toBe(API_SECRET);
    expect(texts(await read(bySecret.body))).toEqual(['bot:welcome (no locale)']);
  });

  test('a token generated but not used to start its conversation cannot post yet (404)', async () => {
    const { token, conversationId } = await newToken();
    const answer = await call<{ error: { code: string } }>('POST', `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: 'hi' });
    expect(answer.status).toBe(404);
  });

  test('CORS: any origin may call with a bearer token; preflight answers 204', async () => {
    const response = await fetch(`${server.url}/v3/directline/conversations`, { method: 'OPTIONS', headers: { origin: 'https://www.example.com', 'access-control-request-method': 'POST' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });
});

describe('self-hosted Direct Line: tokens', () => {
  test("a token reads and writes its own conversation only (403 for another's)", async () => {
    const mine = await startConversation();
    const other = await startConversation();
    const id = mine.conversationId;
    expect((await call('GET', `/v3/directline/conversations/${id}/activities`, other.token)).status).toBe(403);
    expect((await call('POST', `/v3/directline/conversations/${id}/activities`, other.token, { type: 'message', text: 'hi' })).status).toBe(403);
    expect((await call('GET', `/v3/directline/conversations/${id}`, other.token)).status).toBe(403);
    // The other conversation's stream ticket does not open this conversation's stream either.
    const otherTicket = new URL(other.streamUrl).searchParams.get('t');
    expect(await streamStatus(`${server.url.replace('http', 'ws')}/v3/directline/conversations/${id}/stream?t=${otherTicket}`)).toBe(403);
    expect(texts(await read(mine))).toEqual(['bot:welcome (en-US)']);
  });

  test('missing, forged, foreign-signed and stream-scoped tokens get 401; an expired one 403 TokenExpired, as Direct Line answers', async () => {
    const conversation = await startConversation();
    const path = `/v3/directline/conversations/${conversation.conversationId}/activities`;
    const [header, payload, signature] = conversation.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 86400 })).toString('base64url')}.${signature}`;
    const foreign = new TokenService('another-secret-of-at-least-32-characters!!').sign({ conv: conversation.conversationId, user: 'dl_x' }, 600);
    const ticket = new URL(conversation.streamUrl).searchParams.get('t') ?? '';
    const expired = new TokenService(SECRET, () => clock - 3600_000).sign({ conv: conversation.conversationId, user: 'dl_x' }, 600);

    for (const token of [undefined, '', 'not-a-token', forged, foreign, ticket]) {
      const answer = await call<{ error: { code: string } }>('GET', path, token);
      expect([token, answer.status, answer.body.error.code]).toEqual([token, 401, 'Unauthorized']);
    }
    const old = await call<{ error: { code: string; message: string } }>('GET', path, expired);
    expect(old.status).toBe(403);
    expect(old.body.error).toEqual({ code: 'TokenExpired', message: 'the token has expired; get a new one' });
    expect((await call('POST', '/v3/directline/tokens/refresh', expired)).status).toBe(403);
    expect(await streamStatus(`${server.url.replace('http', 'ws')}/v3/directline/conversations/${conversation.conversationId}/stream?t=forged`)).toBe(401);
    const expiredTicket = new TokenService(SECRET, () => clock - 3600_000).sign({ conv: conversation.conversationId, user: 'dl_x', scope: 'stream' }, 600);
    expect(await streamStatus(`${server.url.replace('http', 'ws')}/v3/directline/conversations/${conversation.conversationId}/stream?t=${expiredTicket}`)).toBe(403);
  });

  test('refresh gives a later expiry for the same conversation and user; the old token still expires on time', async () => {
    const conversation = await startConversation();
    clock += 20 * 60 * 1000;
    const refreshed = await call<{ token: string; conversationId: string; expires_in: number }>('POST', '/v3/directline/tokens/refresh', conversation.token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.conversationId).toBe(conversation.conversationId);
    expect(refreshed.body.expires_in).toBe(1800);
    const user = (t: string) => (JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()) as { user: string }).user;
    expect(user(refreshed.body.token)).toBe(user(conversation.token));

    clock += 15 * 60 * 1000; // 35 minutes after the first token
    expect((await call('GET', `/v3/directline/conversations/${conversation.conversationId}/activities`, conversation.token)).status).toBe(403);
    const fresh = { ...conversation, token: refreshed.body.token };
    expect((await say(fresh, 'still here')).status).toBe(200);
    expect(texts(await read(fresh)).slice(-1)).toEqual(['bot:echo: still here']);
  });
});

describe('self-hosted Direct Line: bad input gets 400 with the reason', () => {
  let conversation: Started;
  beforeAll(async () => {
    conversation = await startConversation();
  });
  const post = (body: unknown, raw?: string) =>
    call<{ error: { code: string; message: string } }>('POST', `/v3/directline/conversations/${conversation.conversationId}/activities`, conversation.token, body, raw);

  test.each([
    ['no type', { text: 'hi' }, /type is required/],
    ['a type clients may not send', { type: 'conversationUpdate' }, /type must be one of message, event, typing, endOfConversation/],
    ['text that is not a string', { type: 'message', text: 42 }, /text must be a string/],
    ['attachments that are not a list', { type: 'message', attachments: { contentType: 'image/png' } }, /attachments must be a list/],
    ['an attachment without contentType', { type: 'message', attachments: [{ contentUrl: 'https://example.com/a.png' }] }, /attachments\[0\]\.contentType is required/],
    ['an attachment with a javascript: URL', { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'javascript:alert(1)' }] }, /data: URL/],
    ['an attachment linking to another server', { type: 'message', attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:9/internal' }] }, /data: URL/],
    ['entities that are not objects', { type: 'message', text: 'x', entities: [null, 5] }, /entities must be a list of objects/],
    ['a value nested 1,000 deep', { type: 'message', text: 'x', value: JSON.parse('['.repeat(1000) + ']'.repeat(1000)) }, /nesting deeper than 32/],
    ['an event without a name', { type: 'event', value: 1 }, /needs a name/],
    ['a malformed locale', { type: 'message', text: 'hi', locale: 'zh_CN; drop' }, /locale must be a BCP 47/],
    ['channelData that is not an object', { type: 'message', text: 'hi', channelData: 'x' }, /channelData must be an object/],
    ['a body that is a list', [{ type: 'message' }], /must be a JSON object/],
  ])('%s', async (_name, body, reason) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BadArgument');
    expect(answer.body.error.message).toMatch(reason);
  });

  test('text over the limit is accepted, cut before the transcript keeps it (the bot answers it as too long)', async () => {
    expect((await post({ type: 'message', text: 'x'.repeat(50_000) })).status).toBe(200);
  });

  test('a body that is not JSON, a bad watermark, a bad start locale', async () => {
    const notJson = await post(undefined, '{"type": "message",');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    const watermark = await call<{ error: { message: string } }>('GET', `/v3/directline/conversations/${conversation.conversationId}/activities?watermark=abc`, conversation.token);
    expect(watermark.status).toBe(400);
    expect(watermark.body.error.message).toMatch(/watermark/);
    const { token } = await newToken();
    expect((await call('POST', '/v3/directline/conversations', token, { locale: 42 })).status).toBe(400);
  });

  test('an unknown activity type is refused without quoting it back', async () => {
    const answer = await post({ type: '<script>alert(1)</script>' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).not.toContain('script');
  });

  test.each([
    ['a content encoding', { 'content-encoding': '<img src=x onerror=alert(1)>' }],
    ['a charset', { 'content-type': 'application/json; charset=img-src' }],
  ])('a body with %s the server does not read gets a fixed message, never the header echoed', async (_name, headers) => {
    const res = await fetch(`${server.url}/v3/directline/conversations/${conversation.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conversation.token}`, 'content-type': 'application/json', ...headers },
      body: '{"type":"message","text":"hi"}',
    });
    expect(res.status).toBe(415);
    const body = await res.text();
    expect(body).not.toMatch(/img/i);
    expect(JSON.parse(body)).toEqual({ error: { code: 'BadArgument', message: expect.stringMatching(/^the body's (content type|encoding)/) } });
  });

  test('nothing invalid reached the transcript', async () => {
    expect(texts(await read(conversation)).filter((t) => t.startsWith('user:'))).toEqual([`user:${'x'.repeat(MAX_PASSED_TEXT_LENGTH)}`]);
  });
});

describe('ConversationStore: bounded memory', () => {
  const user = { id: 'dl_u' };

  test('keeps the last maxActivities per conversation; watermarks keep counting', async () => {
    const store = new MemoryConversationStore({ maxActivities: 3, idleMs: 1000, maxConversations: 10 });
    await store.open({ id: 'c', user });
    for (let i = 1; i <= 5; i++) await store.append('c', { type: 'message', text: String(i) });
    const set = await store.after('c', undefined);
    expect(set.activities.map((a) => a.text)).toEqual(['3', '4', '5']);
    expect(set.watermark).toBe('5');
    expect((await store.after('c', 4)).activities.map((a) => a.text)).toEqual(['5']);
  });

  test('forgets idle conversations without open streams, and the least recently active beyond maxConversations', async () => {
    let now = 0;
    const store = new MemoryConversationStore({ maxActivities: 10, idleMs: 1000, maxConversations: 2 }, () => now);
    await store.open({ id: 'a', user });
    await store.open({ id: 'b', user });
    const ended: string[] = [];
    await store.subscribe('b', { push: () => undefined, end: (reason) => ended.push(reason), resync: () => undefined });
    now = 5000;
    expect(store.sweep()).toBe(1);
    expect(await store.touch('a')).toBeUndefined();
    expect(await store.touch('b')).toBeDefined();

    await store.open({ id: 'c', user });
    await store.touch('b');
    await store.open({ id: 'd', user }); // over the cap: c is the least recently active
    expect([await store.touch('b'), await store.touch('c'), await store.touch('d')].map(Boolean)).toEqual([true, false, true]);
    await store.close('shutdown');
    expect(ended).toEqual(['shutdown']);
  });

  test('clientActivityProblem accepts what Web Chat posts', () => {
    expect(
      clientActivityProblem({
        type: 'message',
        text: '你好',
        textFormat: 'plain',
        locale: 'zh-CN',
        localTimestamp: '2026-11-22T10:00:00+08:00',
        from: { id: 'dl_abc', name: '', role: 'user' },
        channelData: { clientActivityID: '1', clientTimestamp: '2026-11-22T02:00:00Z', context: { product: 'icp' } },
        entities: [{ type: 'ClientCapabilities', requiresBotState: true }],
      }),
    ).toBeUndefined();
  });
});

describe('stream upgrade requests', () => {
  it.each(['/v3/directline/conversations/%E0%A4%A/stream?t=x', '//[/x'])('answers a malformed request line %s with 400 and stays up', async (path) => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.setTimeout(3000, () => {
        socket.destroy();
        resolve(data);
      });
    });
    if (path.startsWith('/v3/')) expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/v3/directline/tokens/generate`, { method: 'POST' })).status).toBeLessThan(500);
  });
});
