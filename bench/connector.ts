import * as http from 'http';
import type { AddressInfo } from 'net';

export interface LocalConnector {
  url: string;
  /** Replies received, and how many of them lack channelData.intent (the reply contract). */
  counts(): { replies: number; withoutIntent: number };
  close(): Promise<void>;
}

/**
 * The Bot Framework connector's reply endpoint, on a free local port: bots POST their replies to
 * {serviceUrl}/v3/conversations/{conversation}/activities/{replyTo} and get a resource id back.
 */
export async function startLocalConnector(port = 0): Promise<LocalConnector> {
  let replies = 0;
  let withoutIntent = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && /^\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) {
        replies++;
        try {
          const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; channelData?: { intent?: unknown } };
          if (activity.type === 'message' && typeof activity.channelData?.intent !== 'string') withoutIntent++;
        } catch {
          withoutIntent++;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"r${replies}"}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ replies, withoutIntent }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
