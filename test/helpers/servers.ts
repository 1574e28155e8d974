import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Express } from 'express';

export async function listen(app: Express | http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app as http.RequestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A fake endpoint that records the JSON bodies posted to it (a DingTalk session webhook, a Bot Framework serviceUrl). */
export async function recorder(): Promise<{ url: string; bodies: unknown[]; urls: string[]; close: () => Promise<void>; waitFor: (n: number, ms?: number) => Promise<unknown[]> }> {
  const bodies: unknown[] = [];
  const urls: string[] = [];
  const server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c));
    req.on('end', () => {
      urls.push(req.url ?? '');
      try {
        bodies.push(JSON.parse(data || '{}'));
      } catch {
        bodies.push(data);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 0, id: String(bodies.length) }));
    });
  });
  const waitFor = async (n: number, ms = 5000) => {
    const until = Date.now() + ms;
    while (bodies.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return bodies;
  };
  return { ...server, bodies, urls, waitFor };
}

let posted = 0;

/**
 * Posts a Bot Framework message activity to `url`/api/messages: a user on the Emulator, zh-CN, replies in the response
 * (expectReplies), each with its own id; `activity` overrides any of that and must name the conversation.
 */
export function postMessage(url: string, text: string, activity: Record<string, unknown> & { conversation: object }): Promise<Response> {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `message-${++posted}`,
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:9',
      deliveryMode: 'expectReplies',
      from: { id: 'user' },
      recipient: { id: 'bot' },
      locale: 'zh-CN',
      text,
      ...activity,
    }),
  });
}
