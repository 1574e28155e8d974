import type * as http from 'http';
import { createApp } from '../index';
import { readSettings } from '../config/settings';
import { listen } from './helpers/servers';
import { png } from './answers/images';

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

describe('with a Microsoft app id and an unreachable OpenID key endpoint', () => {
  const saved = { ...process.env };
  let closedPort: number;
  beforeAll(async () => {
    const closed = await listen(() => undefined);
    closedPort = Number(new URL(closed.url).port);
    await closed.close();
    process.env.MicrosoftAppId = '00000000-0000-0000-0000-000000000001';
    process.env.MicrosoftAppPassword = 'not-a-real-password';
    process.env.ToBotFromChannelOpenIdMetadataUrl = `http://127.0.0.1:${closedPort}/openid`;
    process.env.ToBotFromEmulatorOpenIdMetadataUrl = `http://127.0.0.1:${closedPort}/openid`;
  });
  afterAll(() => {
    for (const key of ['MicrosoftAppId', 'MicrosoftAppPassword', 'ToBotFromChannelOpenIdMetadataUrl', 'ToBotFromEmulatorOpenIdMetadataUrl']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('answers a well-formed but unverifiable token with 401 and a fixed body', async () => {
    const server = await listen(createApp(readSettings({})).app);
    try {
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const token = [
        b64({ alg: 'RS256', typ: 'JWT', kid: 'forged-key' }),
        b64({ iss: 'https://api.botframework.com', aud: process.env.MicrosoftAppId, serviceurl: 'https://smba.trafficmanager.net/amer/', nbf: now - 60, exp: now + 3600 }),
        Buffer.from('not a signature').toString('base64url'),
      ].join('.');
      const started = Date.now();
      const res = await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(activity('你好', { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/amer/' })),
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized' });
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      await server.close();
    }
  });
});

describe('hostile input on /api/messages', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(createApp(readSettings({}), { today: () => '2026-11-22' }).app);
  });
  afterAll(() => server.close());
  const post = (body: unknown) => fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.each([
    ['a serviceUrl that is not a string', { serviceUrl: { a: 1 } }],
    ['a serviceUrl that is a number', { serviceUrl: 5 }],
    ['a locale that is not a string', { locale: 5 }],
    ['a channelId that is not a string', { channelId: ['x'] }],
    ['an attachment contentType that is not a string', { attachments: [{ contentType: 1, contentUrl: 'data:,x' }] }],
    ['a timestamp that is no date', { timestamp: 'not a date' }],
  ])('answers %s with 400 and a fixed body, never a 500 with an internal message', async (_name, extra) => {
    const res = await post(activity('注册者证件不完整', extra));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid activity' });
  });

  it('answers invalid JSON and oversized bodies with fixed bodies', async () => {
    const bad = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", "text": "3201' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'bad request' });
    const big = await post(activity('x', { value: 'y'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'payload too large' });
  });

  it.each([
    ['GET', '/api/messages'],
    ['PUT', '/api/messages'],
    ['GET', '/%3Cscript%3Ealert(1)%3C/script%3E'],
    ['POST', '/admin/report'],
  ])('answers %s %s, a route that does not exist, with a fixed JSON 404 that does not quote the path', async (method, path) => {
    const res = await fetch(`${server.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'not found' });
  });

  it('labels metrics only with known channels and taxonomy ids', async () => {
    await post(activity('注册者证件不完整', { channelId: 'channel-3201' }));
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).not.toMatch(/channel-3201/);
    expect(text).toMatch(/bot_turn_seconds_count\{channel="other",outcome="ok"\} [1-9]/);
    for (const [, intent] of text.matchAll(/bot_replies_total\{intent="([^"]+)"\}/g)) expect(intent).toMatch(/^(domain|icp|dayu|smalltalk|meta|other|none|clarify)/);
  });
});

describe('attachments on /api/messages', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  let files: Awaited<ReturnType<typeof listen>>;
  const hits: string[] = [];
  beforeAll(async () => {
    files = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
      hits.push(req.url ?? '');
      res.writeHead(307, { location: '/elsewhere' });
      res.end();
    });
    server = await listen(createApp(readSettings({}), { today: () => '2026-11-22' }).app);
  });
  afterAll(async () => {
    await server.close();
    await files.close();
  });
  const turn = async (extra: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('中国站上传的文件格式不支持', extra)) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: { text: string }[] }).activities.map((a) => a.text).join('\n');
  };

  it('never fetches an attachment from loopback, and tells the user the file could not be read', async () => {
    const text = await turn({ attachments: [{ contentType: 'image/png', contentUrl: `${files.url}/secret.png`, name: 'id.png' }] });
    expect(hits).toEqual([]);
    expect(text).toMatch(/没能读取到/);
  });

  it('reads an inline data: attachment', async () => {
    const text = await turn({ attachments: [{ contentType: 'image/png', contentUrl: `data:image/png;base64,${png().toString('base64')}`, name: 'id.jpg' }] });
    expect(text).toMatch(/实际格式是 PNG/);
  });
});

describe('a channel that hangs, refuses or redirects', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  let channel: Awaited<ReturnType<typeof listen>>;
  let closedPort: number;
  const hits: string[] = [];
  beforeAll(async () => {
    channel = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
      hits.push(req.url ?? '');
      if (req.url?.startsWith('/redirect/')) {
        res.writeHead(307, { location: '/elsewhere' });
        res.end();
      }
      // Otherwise: never answers.
    });
    const closed = await listen(() => undefined);
    closedPort = Number(new URL(closed.url).port);
    await closed.close();
    const settings = { ...readSettings({}), outbound: { privateNetworks: ['127.0.0.1'], allowHttp: true }, connectorTimeoutMs: 500 };
    server = await listen(createApp(settings, { today: () => '2026-11-22' }).app);
  });
  afterAll(async () => {
    await server.close();
    await channel.close();
  });

  const post = (body: unknown) => fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const normal = (text: string, conversation: string, serviceUrl: string) => activity(text, { deliveryMode: undefined, conversation: { id: conversation }, serviceUrl });

  it.each([
    ['a serviceUrl that never answers', () => `${channel.url}/hang/`],
    ['a closed port', () => `http://127.0.0.1:${closedPort}/`],
    ['a redirecting serviceUrl', () => `${channel.url}/redirect/`],
  ])('holds the turn only briefly for %s, and the conversation answers its next message at once', async (_name, serviceUrl) => {
    const conversation = `c-${Math.random()}`;
    const started = Date.now();
    const res = await post(normal('注册者证件不完整', conversation, serviceUrl()));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2500);
    const next = Date.now();
    const answer = await post(activity('注册者证件不完整', { conversation: { id: conversation } }));
    expect(answer.status).toBe(200);
    expect(Date.now() - next).toBeLessThan(1500);
    expect(hits).not.toContain('/elsewhere');
  });

  it('never posts to a loopback serviceUrl unless the operator lists it', async () => {
    // As deployed: with a Microsoft app id the connector is never let onto loopback (without one, local development is).
    const strict = await listen(createApp({ ...readSettings({}), localDevelopment: false }, { today: () => '2026-11-22' }).app);
    try {
      const before = hits.length;
      const res = await fetch(`${strict.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(normal('你好', `c-${Math.random()}`, `${channel.url}/hang/`)) });
      expect(res.status).toBe(200);
      expect(hits.length).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('metrics and health behind METRICS_TOKEN', () => {
  it('needs the bearer token for /metrics and the storage details of /health', async () => {
    const server = await listen(createApp({ ...readSettings({}), metricsToken: 'metrics-secret' }).app);
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } })).status).toBe(200);
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${server.url}/health`, { headers: { authorization: 'Bearer metrics-secret' } })).json()).toMatchObject({ storage: { storage: 'memory' } });
    } finally {
      await server.close();
    }
  });
});
