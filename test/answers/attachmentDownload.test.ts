import * as http from 'http';
import type { AddressInfo } from 'net';
import { downloadAttachment, AttachmentDownloadError } from '../../answers/attachmentDownload';
import { png } from './images';
import type { OutboundPolicy } from '../../net/outbound';

const IMAGE = png();

let server: http.Server;
let base: string;
/** Responses the client abandoned before the server finished them. */
const abandoned: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) abandoned.push(req.url ?? '');
    });
    switch (req.url) {
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': IMAGE.length });
        return void res.end(IMAGE);
      case '/declared-large':
        res.writeHead(200, { 'content-length': 5000 });
        return void res.write(Buffer.alloc(100));
      case '/endless': {
        // No content-length: the cap must be enforced while streaming.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const timer = setInterval(() => res.write(Buffer.alloc(256)), 5);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case '/stalled-body':
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.write(IMAGE.subarray(0, 10));
      case '/redirect':
        res.writeHead(302, { location: '/image.png' });
        return void res.end();
      case '/no-answer':
        return;
      default:
        res.writeHead(404);
        res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local: OutboundPolicy = { hosts: ['127.0.0.1'], allowHttp: true, privateNetworks: ['127.0.0.1'], timeoutMs: 2000, maxBytes: 1000, retries: 0, retryDelayMs: 10 };
const options = local;
const limits = (maxBytes: number, timeoutMs: number): OutboundPolicy => ({ ...local, maxBytes, timeoutMs });

async function failure(promise: Promise<unknown>): Promise<AttachmentDownloadError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AttachmentDownloadError);
    return err as AttachmentDownloadError;
  }
  throw new Error('expected the download to fail');
}

describe('downloadAttachment', () => {
  it('reads an http attachment', async () => {
    expect((await downloadAttachment(`${base}/image.png`, options)).equals(IMAGE)).toBe(true);
  });

  it('refuses a body whose declared length is over the cap', async () => {
    expect((await failure(downloadAttachment(`${base}/declared-large`, options))).code).toBe('tooLarge');
  });

  it('stops reading a stream as soon as it passes the cap, and hangs up', async () => {
    const started = Date.now();
    const err = await failure(downloadAttachment(`${base}/endless`, limits(4096, 5000)));
    expect(err.code).toBe('tooLarge');
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(abandoned).toContain('/endless');
  });

  it('gives up after the time limit, whether the headers or the body are late', async () => {
    for (const path of ['/no-answer', '/stalled-body']) {
      const started = Date.now();
      const err = await failure(downloadAttachment(`${base}${path}`, limits(1000, 200)));
      expect(err.code).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(1500);
    }
  });

  it('reports an HTTP error status', async () => {
    const err = await failure(downloadAttachment(`${base}/missing`, options));
    expect(err).toMatchObject({ code: 'httpStatus', status: 404 });
  });

  it('reports a connection failure', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await failure(downloadAttachment(`http://127.0.0.1:${port}/x`, options))).code).toBe('network');
  });

  it('reads only http(s) and data: URLs', async () => {
    expect((await failure(downloadAttachment('file:///etc/passwd', options))).code).toBe('unsupportedScheme');
    expect((await failure(downloadAttachment('ftp://example.com/a.png', options))).code).toBe('unsupportedScheme');
    expect((await failure(downloadAttachment('not a url', options))).code).toBe('invalidUrl');
  });

  it('decodes data: URLs within the cap', async () => {
    const url = `data:image/png;base64,${IMAGE.toString('base64')}`;
    expect((await downloadAttachment(url, options)).equals(IMAGE)).toBe(true);
    expect((await downloadAttachment('data:,hello%20world%E4%BD%A0', options)).toString('utf8')).toBe('hello world你');
    expect((await failure(downloadAttachment(url, limits(IMAGE.length - 1, 100)))).code).toBe('tooLarge');
    expect((await failure(downloadAttachment(`data:,${'a'.repeat(2000)}`, options))).code).toBe('tooLarge');
    expect((await failure(downloadAttachment('data:image/png;base64,@@@', options))).code).toBe('badDataUrl');
  });

  it('refuses hosts outside the allowlist, loopback unless listed, and redirects, without following them', async () => {
    const before = abandoned.length;
    expect((await failure(downloadAttachment(`${base}/image.png`, { ...local, hosts: ['.botframework.com'] }))).code).toBe('notAllowed');
    expect((await failure(downloadAttachment(`${base}/image.png`, { ...local, privateNetworks: [] }))).code).toBe('notAllowed');
    expect((await failure(downloadAttachment(`${base}/redirect`, local))).code).toBe('redirect');
    expect((await failure(downloadAttachment(`${base}/image.png`, { ...local, allowHttp: false }))).code).toBe('unsupportedScheme');
    expect(abandoned.length).toBe(before);
  });

  it('reads data: URLs whatever the host allowlist', async () => {
    const url = `data:image/png;base64,${IMAGE.toString('base64')}`;
    expect((await downloadAttachment(url, { ...local, hosts: [], privateNetworks: [], allowHttp: false })).equals(IMAGE)).toBe(true);
  });
});
