import * as http from 'http';
import type { AddressInfo } from 'net';
import { OutboundError, addressAllowed, hostAllowed, hostList, send, type OutboundPolicy } from '../../net/outbound';

let server: http.Server;
let base: string;
let closedPort: number;
const hits: string[] = [];
let flaky = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    switch (req.url) {
      case '/ok':
        return void res.end('hello');
      case '/redirect':
        res.writeHead(307, { location: `${base}/ok` });
        return void res.end();
      case '/hang':
        return;
      case '/big':
        res.writeHead(200);
        return void res.end(Buffer.alloc(5000));
      case '/flaky':
        flaky += 1;
        res.writeHead(flaky < 3 ? 503 : 200);
        return void res.end(String(flaky));
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local: OutboundPolicy = { hosts: ['127.0.0.1'], allowHttp: true, privateNetworks: ['127.0.0.0/8'], timeoutMs: 300, maxBytes: 1000, retries: 0, retryDelayMs: 10 };

async function failure(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(OutboundError);
    return err as OutboundError;
  }
  throw new Error('expected the request to fail');
}

describe('outbound requests', () => {
  it('reads a response within the policy', async () => {
    const res = await send(`${base}/ok`, {}, local);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('hello');
  });

  it('treats a redirect as a failure and never follows it', async () => {
    hits.splice(0);
    const err = await failure(send(`${base}/redirect`, { method: 'POST', body: '{}' }, local));
    expect(err).toMatchObject({ code: 'redirect', status: 307 });
    expect(hits).toEqual(['/redirect']);
  });

  it('gives up on a server that never answers within the timeout', async () => {
    const started = Date.now();
    expect((await failure(send(`${base}/hang`, {}, local))).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails fast on a closed port, retrying a bounded number of times', async () => {
    const started = Date.now();
    const err = await failure(send(`http://127.0.0.1:${closedPort}/x`, {}, { ...local, retries: 2 }));
    expect(err.code).toBe('network');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries a retryable status, then returns the answer', async () => {
    flaky = 0;
    const res = await send(`${base}/flaky`, {}, { ...local, retries: 3 });
    expect(res.status).toBe(200);
    expect(flaky).toBe(3);
    flaky = 0;
    expect((await send(`${base}/flaky`, {}, { ...local, retries: 1 })).status).toBe(503);
  });

  it('stops reading a body over the size bound', async () => {
    expect((await failure(send(`${base}/big`, {}, local))).code).toBe('tooLarge');
  });

  it('refuses hosts outside the allowlist, plain http unless allowed, and loopback unless listed, before connecting', async () => {
    hits.splice(0);
    expect((await failure(send(`${base}/ok`, {}, { ...local, hosts: ['example.com'] }))).code).toBe('host');
    expect((await failure(send(`${base}/ok`, {}, { ...local, allowHttp: false }))).code).toBe('scheme');
    expect((await failure(send(`${base}/ok`, {}, { ...local, privateNetworks: [] }))).code).toBe('address');
    expect((await failure(send('file:///etc/passwd', {}, local))).code).toBe('scheme');
    expect((await failure(send('not a url', {}, local))).code).toBe('invalidUrl');
    expect(hits).toEqual([]);
  });

  it('checks the address a name resolves to, not just the name', async () => {
    const port = new URL(base).port;
    hits.splice(0);
    const err = await failure(send(`http://localhost:${port}/ok`, {}, { ...local, hosts: ['localhost'], privateNetworks: [] }));
    expect(err.code).toBe('address');
    expect(hits).toEqual([]);
    expect((await send(`http://localhost:${port}/ok`, {}, { ...local, hosts: ['localhost'], privateNetworks: ['127.0.0.1', '::1'] })).status).toBe(200);
  });
});

describe('outbound policy rules', () => {
  it('matches exact hosts and subdomain suffixes', () => {
    const rules = hostList('oapi.dingtalk.com, *.botframework.com,.asm.skype.com', []);
    expect(rules).toEqual(['oapi.dingtalk.com', '.botframework.com', '.asm.skype.com']);
    expect(hostAllowed('OAPI.dingtalk.com', rules)).toBe(true);
    expect(hostAllowed('evil-oapi.dingtalk.com', rules)).toBe(false);
    expect(hostAllowed('directline.botframework.com', rules)).toBe(true);
    expect(hostAllowed('botframework.com.evil.example', rules)).toBe(false);
    expect(hostAllowed('evilbotframework.com', rules)).toBe(false);
    expect(hostList('', ['a.example'])).toEqual(['a.example']);
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.0.1'])(
    'refuses the non-public address %s unless listed',
    (address) => {
      expect(addressAllowed(address, [])).toBe(false);
    },
  );

  it('allows public addresses and listed private ones', () => {
    expect(addressAllowed('203.0.114.1', [])).toBe(true);
    expect(addressAllowed('2a00:1450:4001:80b::200e', [])).toBe(true);
    expect(addressAllowed('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(addressAllowed('::ffff:127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(addressAllowed('10.1.2.3', ['garbage'])).toBe(false);
  });
});
