import * as http from 'http';
import express from 'express';
import { mountWebChat } from '../../channels/webchat/mountWebChat';
import { AZURE_CHINA_DIRECT_LINE_ENDPOINT, normalizeEndpoint, tokenMode } from '../../channels/webchat/tokenRoute';
import { echoBot, startWidgetServer, type WidgetServer } from '../helpers/browser';
import { listen } from '../helpers/servers';

const AZURE_SECRET = 'azure-direct-line-secret-value';

/** A stand-in for Azure's token service: records what it was asked, answers like tokens/generate. */
async function fakeAzure(status = 200): Promise<{ url: string; requests: { path: string; auth?: string; body: string }[]; close: () => Promise<void> }> {
  const requests: { path: string; auth?: string; body: string }[] = [];
  const server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ path: `${req.method} ${req.url}`, auth: req.headers.authorization, body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? JSON.stringify({ conversationId: 'azure-conv-1', token: 'azure-token-1', expires_in: 3600 }) : JSON.stringify({ error: { code: 'Unauthorized' } }));
    });
  });
  return { ...server, requests };
}

async function postToken(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${url}/api/directline/token`, { method: 'POST', headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function azureApp(env: NodeJS.ProcessEnv): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  mountWebChat(app, { env });
  return listen(app);
}

describe('POST /api/directline/token, Azure mode (DIRECT_LINE_SECRET set)', () => {
  test('exchanges the secret server-side and gives the page a token, conversation and the Azure domain, never the secret', async () => {
    const azure = await fakeAzure();
    const app = await azureApp({ DIRECT_LINE_SECRET: AZURE_SECRET, DIRECT_LINE_ENDPOINT: azure.url });
    try {
      const answer = await postToken(app.url);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ token: 'azure-token-1', conversationId: 'azure-conv-1', expires_in: 3600, domain: `${azure.url}/v3/directline` });
      expect(JSON.stringify(answer.body)).not.toContain(AZURE_SECRET);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(azure.requests).toHaveLength(1);
      expect(azure.requests[0].path).toBe('POST /v3/directline/tokens/generate');
      expect(azure.requests[0].auth).toBe(`Bearer ${AZURE_SECRET}`);
      expect(JSON.parse(azure.requests[0].body)).toEqual({ user: { id: expect.stringMatching(/^dl_[\w-]{16}$/) } });
    } finally {
      await app.close();
      await azure.close();
    }
  });

  test('DIRECT_LINE_ENDPOINT may include /v3/directline; Azure China is one setting away', async () => {
    const azure = await fakeAzure();
    const app = await azureApp({ DIRECT_LINE_SECRET: AZURE_SECRET, DIRECT_LINE_ENDPOINT: `${azure.url}/v3/directline/` });
    try {
      expect((await postToken(app.url)).body.domain).toBe(`${azure.url}/v3/directline`);
      expect(azure.requests[0].path).toBe('POST /v3/directline/tokens/generate');
    } finally {
      await app.close();
      await azure.close();
    }
    expect(tokenMode({ env: { DIRECT_LINE_SECRET: 's' } })).toEqual({ mode: 'azure', endpoint: 'https://directline.botframework.com' });
    expect(tokenMode({ env: { DIRECT_LINE_SECRET: 's', DIRECT_LINE_ENDPOINT: AZURE_CHINA_DIRECT_LINE_ENDPOINT } })).toEqual({ mode: 'azure', endpoint: 'https://directline.botframework.azure.cn' });
    expect(tokenMode({ env: {} })).toEqual({ mode: 'self-hosted' });
    expect(() => normalizeEndpoint('ftp://example.com')).toThrow(/http\(s\)/);
  });

  test('Azure refusing or unreachable gives the page 502 with a plain message', async () => {
    const azure = await fakeAzure(403);
    const refused = await azureApp({ DIRECT_LINE_SECRET: AZURE_SECRET, DIRECT_LINE_ENDPOINT: azure.url });
    const closed = await listen((_req: http.IncomingMessage, res: http.ServerResponse) => res.end());
    const deadUrl = closed.url;
    await closed.close();
    const unreachable = await azureApp({ DIRECT_LINE_SECRET: AZURE_SECRET, DIRECT_LINE_ENDPOINT: deadUrl });
    try {
      for (const app of [refused, unreachable]) {
        const answer = await postToken(app.url);
        expect(answer.status).toBe(502);
        expect(answer.body).toEqual({ error: 'the chat service is unavailable, please try again later' });
      }
    } finally {
      await refused.close();
      await unreachable.close();
      await azure.close();
    }
  });
});

describe('POST /api/directline/token, self-hosted mode (default)', () => {
  let server: WidgetServer;
  beforeAll(async () => {
    server = await startWidgetServer({ runBot: echoBot, webChat: { allowedOrigins: ['https://www.example.cn'] } });
  });
  afterAll(() => server.close());

  test("a token for one new conversation of this server's Direct Line", async () => {
    const first = await postToken(server.url);
    const second = await postToken(server.url);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ token: expect.any(String), conversationId: expect.any(String), expires_in: 1800, domain: `${server.url}/v3/directline` });
    expect(second.body.conversationId).not.toBe(first.body.conversationId);
    const check = (await server.directLine.tokens()).verify(first.body.token as string);
    expect(check.ok && check.claims.conv).toBe(first.body.conversationId);
  });

  test('pages of this server and listed sites may ask; other sites get 403', async () => {
    expect((await postToken(server.url, { origin: server.url })).status).toBe(200);
    const listed = await postToken(server.url, { origin: 'https://www.example.cn' });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://www.example.cn');
    const other = await postToken(server.url, { origin: 'https://evil.example.com' });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a body too large gets 413 saying so, not that it must be JSON', async () => {
    const res = await fetch(`${server.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resume: 'a'.repeat(100_000) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'the request body is too large' });
  });

  test('GET / is the chat page with a CSP; widget.js and the Web Chat bundle come from this server', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="webchat/widget.js"');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' blob: ${server.url} ${server.url.replace('http', 'ws')}`);
    expect(csp).toContain("worker-src 'self' blob:");

    const widget = await fetch(`${server.url}/webchat/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect(await widget.text()).toContain('DIRECT_LINE/POST_ACTIVITY');

    const bundle = await fetch(`${server.url}/webchat/vendor/webchat.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(Number(bundle.headers.get('content-length'))).toBeGreaterThan(1_000_000);
    await bundle.arrayBuffer();

    expect((await fetch(`${server.url}/webchat/vendor/../../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/webchat/nothing.js`)).status).toBe(404);
  });

  test('without DIRECT_LINE_SECRET and without a Direct Line, mounting fails loudly', () => {
    expect(() => mountWebChat(express(), { env: {} })).toThrow(/no DIRECT_LINE_SECRET and no self-hosted Direct Line/);
  });
});

describe('POST /api/directline/token, new conversations per client address', () => {
  let server: WidgetServer;
  beforeAll(async () => {
    server = await startWidgetServer({ runBot: echoBot, webChat: { tokensPerMinute: 3 } });
  });
  afterAll(() => server.close());

  test('past the limit a client gets 429 with a fixed body; resuming its conversation still works', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await postToken(server.url));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3].body).toEqual({ error: 'too many new conversations from this address; please try again in a minute' });
    const started = await fetch(`${server.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${answers[0].body.token}` } });
    expect(started.status).toBe(201);
    const resumed = await fetch(`${server.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resume: answers[0].body.token }) });
    expect(resumed.status).toBe(200);
  });
});
