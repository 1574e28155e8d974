import * as http from 'http';
import type { AddressInfo } from 'net';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { connectorClientOptions } from '../../net/connectorHttpClient';
import type { OutboundPolicy } from '../../net/outbound';

const policy: OutboundPolicy = { allowHttp: true, privateNetworks: ['127.0.0.1'], timeoutMs: 2000, maxBytes: 1 << 20, retries: 1, retryDelayMs: 10 };

let server: http.Server;
let baseUri: string;
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"r"}'));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// A pool per request (the policy rebuilt for each) opened a connection per reply and left each open for seconds.
it('sends reply after reply over the same kept-alive connections, as ConnectorClient uses it', async () => {
  const client = new ConnectorClient(new MicrosoftAppCredentials('', ''), { baseUri, ...connectorClientOptions(policy) });
  for (let i = 0; i < 10; i++) {
    const sent = await client.conversations.sendToConversation('c1', { type: 'message', text: `reply ${i}` });
    expect(sent.id).toBe('r');
  }
  // undici may open a second socket when a request starts before the previous response has freed the first.
  expect(connections).toBeLessThanOrEqual(2);
});
