/**
 * Reads an uploaded attachment into memory, with a byte cap and a time limit.
 *
 * Only ever called with the contentUrl of an attachment the channel delivered (Bot Framework / DingTalk), never with
 * a URL a user typed: the bot must not become a way to fetch arbitrary addresses. Even so only http(s) and data: URLs
 * are read, the body is streamed and abandoned as soon as it passes maxBytes, and the whole read is aborted after
 * timeoutMs.
 */

export type AttachmentDownloadErrorCode = 'invalidUrl' | 'unsupportedScheme' | 'badDataUrl' | 'httpStatus' | 'tooLarge' | 'timeout' | 'network';

export class AttachmentDownloadError extends Error {
  constructor(
    readonly code: AttachmentDownloadErrorCode,
    message: string,
    /** The HTTP status, for httpStatus. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AttachmentDownloadError';
  }
}

export interface DownloadOptions {
  /** Largest body accepted; a larger one fails with tooLarge. */
  maxBytes: number;
  /** Time for the whole download, headers and body. */
  timeoutMs: number;
  /** The fetch to use (tests); the global fetch by default. */
  fetchImpl?: typeof fetch;
}

/** The attachment's bytes; rejects with an AttachmentDownloadError. */
export async function downloadAttachment(url: string, options: DownloadOptions): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttachmentDownloadError('invalidUrl', 'not a URL');
  }
  if (parsed.protocol === 'data:') return decodeDataUrl(url, options.maxBytes);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AttachmentDownloadError('unsupportedScheme', `${parsed.protocol} URLs are not read`);
  }

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const response = await (options.fetchImpl ?? fetch)(parsed, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok) {
      controller.abort();
      throw new AttachmentDownloadError('httpStatus', `HTTP ${response.status}`, response.status);
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      controller.abort();
      throw tooLarge(options.maxBytes);
    }
    if (!response.body) return Buffer.alloc(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        controller.abort();
        await reader.cancel().catch(() => undefined);
        throw tooLarge(options.maxBytes);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof AttachmentDownloadError) throw err;
    if (timedOut) throw new AttachmentDownloadError('timeout', `no complete response within ${options.timeoutMs} ms`);
    throw new AttachmentDownloadError('network', (err as Error)?.message ?? 'download failed');
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(maxBytes: number): AttachmentDownloadError {
  return new AttachmentDownloadError('tooLarge', `larger than ${maxBytes} bytes`);
}

/** data:[<media type>][;base64],<data> (RFC 2397), size-checked before decoding. */
function decodeDataUrl(url: string, maxBytes: number): Buffer {
  const comma = url.indexOf(',');
  if (comma < 0) throw new AttachmentDownloadError('badDataUrl', 'data URL without data');
  const meta = url.slice('data:'.length, comma);
  const data = url.slice(comma + 1);
  if (/;base64$/i.test(meta)) {
    const clean = data.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new AttachmentDownloadError('badDataUrl', 'invalid base64');
    if (Math.floor((clean.length * 3) / 4) - (clean.match(/=+$/)?.[0].length ?? 0) > maxBytes) throw tooLarge(maxBytes);
    return Buffer.from(clean, 'base64');
  }
  const bytes: number[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === '%' && /^[0-9a-f]{2}$/i.test(data.slice(i + 1, i + 3))) {
      bytes.push(parseInt(data.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const ch = String.fromCodePoint(data.codePointAt(i)!);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
    if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  }
  return Buffer.from(bytes);
}
