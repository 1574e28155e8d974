/**
 * Reads an uploaded attachment into memory under the attachment policy (net/outbound.ts: allowed hosts only, no
 * private addresses unless listed, no redirects, size and time bounded). data: URLs are decoded here and always work.
 *
 * Only ever called with the contentUrl of an attachment the channel delivered (Bot Framework / DingTalk), never with
 * a URL a user typed; even so a sender chooses that URL, so the policy, not the channel, decides where it may point.
 */
import { OutboundError, send, type OutboundPolicy } from '../net/outbound';

export type AttachmentDownloadErrorCode =
  | 'invalidUrl'
  | 'unsupportedScheme'
  | 'notAllowed'
  | 'redirect'
  | 'badDataUrl'
  | 'httpStatus'
  | 'tooLarge'
  | 'timeout'
  | 'network';

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

const FROM_OUTBOUND: Record<OutboundError['code'], AttachmentDownloadErrorCode> = {
  invalidUrl: 'invalidUrl',
  scheme: 'unsupportedScheme',
  host: 'notAllowed',
  address: 'notAllowed',
  redirect: 'redirect',
  timeout: 'timeout',
  tooLarge: 'tooLarge',
  network: 'network',
};

/** The attachment's bytes; rejects with an AttachmentDownloadError. */
export async function downloadAttachment(url: string, policy: OutboundPolicy): Promise<Buffer> {
  if (/^data:/i.test(url)) return decodeDataUrl(url, policy.maxBytes);
  try {
    const response = await send(url, {}, policy);
    if (response.status < 200 || response.status >= 300) throw new AttachmentDownloadError('httpStatus', `HTTP ${response.status}`, response.status);
    return response.body;
  } catch (err) {
    if (err instanceof AttachmentDownloadError) throw err;
    if (err instanceof OutboundError) throw new AttachmentDownloadError(FROM_OUTBOUND[err.code], err.message);
    throw new AttachmentDownloadError('network', 'download failed');
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
