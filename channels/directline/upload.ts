import type { Request } from 'express';
import busboy from 'busboy';

/** One uploaded file, in memory (at most ATTACHMENT_MAX_BYTES in all). */
export interface UploadedFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** What POST …/upload carried: the files and the optional activity part (parsed JSON, not yet validated). */
export interface Upload {
  activity?: unknown;
  files: UploadedFile[];
}

/** Why an upload was refused; status is the HTTP answer (400, 413). */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

const ACTIVITY_PART = 'activity';
const MAX_ACTIVITY_BYTES = 256 * 1024;
const MAX_NAME_LENGTH = 256;

/**
 * Reads a Direct Line upload: multipart/form-data with one part per file and an optional part named "activity"
 * (application/vnd.microsoft.activity JSON, as DirectLineJS and Azure's upload send it). Files above maxBytes in all,
 * more than maxFiles files, or anything but multipart are refused before more is read.
 */
export function readUpload(req: Request, limits: { maxBytes: number; maxFiles: number }): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8', // browsers send file names as UTF-8 (身份证.jpg), not busboy's default latin1
        limits: { files: limits.maxFiles + 1, fileSize: Math.max(limits.maxBytes, MAX_ACTIVITY_BYTES) + 1, fields: 4, fieldSize: MAX_ACTIVITY_BYTES, parts: limits.maxFiles + 5, headerPairs: 20 },
      });
    } catch {
      reject(new UploadError(400, 'the upload must be multipart/form-data'));
      return;
    }
    const files: UploadedFile[] = [];
    let activityJson: string | undefined;
    let total = 0;
    let failed = false;
    const fail = (error: UploadError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume(); // drain what the client still sends, so it reads the answer instead of a reset
      reject(error);
    };

    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const isActivity = field === ACTIVITY_PART;
      stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (isActivity) {
          if (size > MAX_ACTIVITY_BYTES) return fail(new UploadError(413, 'the activity part is too large'));
        } else {
          total += chunk.length;
          if (total > limits.maxBytes) return fail(new UploadError(413, `the files are larger than ${limits.maxBytes} bytes`));
        }
        chunks.push(chunk);
      });
      // busboy emits a body that ends inside a part on the part's stream too: unheard, that error ends the process.
      stream.on('error', () => fail(new UploadError(400, 'the multipart body is malformed')));
      stream.on('end', () => {
        if (failed) return;
        const bytes = Buffer.concat(chunks);
        if (isActivity) activityJson = bytes.toString('utf8');
        else files.push({ name: (info.filename || 'file').slice(0, MAX_NAME_LENGTH), contentType: info.mimeType || 'application/octet-stream', bytes });
      });
    });
    parser.on('field', (field, value, info) => {
      if (field === ACTIVITY_PART && !info.valueTruncated) activityJson = value;
      else if (field === ACTIVITY_PART) fail(new UploadError(413, 'the activity part is too large'));
    });
    parser.on('filesLimit', () => fail(new UploadError(400, `at most ${limits.maxFiles} files`)));
    parser.on('partsLimit', () => fail(new UploadError(400, 'too many parts')));
    parser.on('fieldsLimit', () => fail(new UploadError(400, 'too many fields')));
    parser.on('error', () => fail(new UploadError(400, 'the multipart body is malformed')));
    parser.on('close', () => {
      if (failed) return;
      if (!files.length) return fail(new UploadError(400, 'the upload has no file'));
      if (activityJson === undefined) return resolve({ files });
      try {
        resolve({ activity: JSON.parse(activityJson), files });
      } catch {
        fail(new UploadError(400, 'the activity part is not valid JSON'));
      }
    });
    req.on('error', () => fail(new UploadError(400, 'the upload was interrupted')));
    req.pipe(parser);
  });
}

/** Largest thumbnail kept from the activity part (Web Chat's are JPEGs of a few KB). */
const MAX_THUMBNAIL_CHARS = 128 * 1024;
const IMAGE_DATA_URL = /^data:image\/(?:jpeg|png|gif|webp|bmp);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * The thumbnails a client sent in the activity part, by file name (Web Chat draws one per image: without it, Web Chat
 * shows a customer's own picture as a file card). Only small inline images: a URL here would make every client of the
 * conversation fetch from wherever the sender pointed.
 */
export function thumbnailsOf(activity: unknown): Map<string, string> {
  const thumbnails = new Map<string, string>();
  const attachments = (activity as { attachments?: unknown } | undefined)?.attachments;
  if (!Array.isArray(attachments)) return thumbnails;
  for (const a of attachments as { name?: unknown; thumbnailUrl?: unknown }[]) {
    const url = a?.thumbnailUrl;
    if (typeof a?.name !== 'string' || typeof url !== 'string' || url.length > MAX_THUMBNAIL_CHARS || !IMAGE_DATA_URL.test(url)) continue;
    thumbnails.set(a.name.slice(0, MAX_NAME_LENGTH), url);
  }
  return thumbnails;
}
