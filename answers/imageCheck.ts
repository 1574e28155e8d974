import { fromBuffer } from 'file-type';
import { facts, UPLOAD_CONTEXTS, type UploadContext, type UploadRule } from './facts';

/**
 * What an uploaded certificate image really is, and what is wrong with it for an upload rule.
 * The real format comes from the bytes (file-type); the name only gives the extension the user sees.
 * The analysis is plain data: no bytes and no file name (names often carry a person's name) are kept.
 */

export type ImageProblemCode = 'unreadable' | 'notImage' | 'renamed' | 'formatNotAllowed' | 'tooSmall' | 'tooLarge';

export interface ImageProblem {
  code: ImageProblemCode;
  /** notImage, formatNotAllowed: the real format; renamed: the extension. */
  found?: string;
  /** renamed: the real format. */
  expected?: string;
  /** tooSmall, tooLarge: the file's size and the limit, in bytes. */
  bytes?: number;
  limitBytes?: number;
}

export interface ImageAnalysis {
  /** file-type recognised the content. */
  readable: boolean;
  /** The content is an image (an image/* type). */
  image: boolean;
  /** The real format, named like file-type's ext (jpg, png, gif, bmp, webp, heic, pdf …). */
  format?: string;
  mime?: string;
  /** The file name's extension, lowercased, without the dot. */
  extension?: string;
  /** Size in bytes. */
  bytes: number;
  /** The upload rule the image was checked against, if any. */
  rule?: UploadContext;
  /** With a rule: no problem at all. */
  ok?: boolean;
  problems: ImageProblem[];
}

/** The format an extension or detected format stands for: jpeg → jpg, tiff → tif, heif → heic. */
export function canonicalFormat(name: string): string {
  const lower = name.toLowerCase();
  for (const [format, names] of Object.entries(facts().uploadRules.sameFormat)) if (names.includes(lower)) return format;
  return lower;
}

function extensionOf(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined;
  const ext = base.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,5}$/.test(ext) ? ext : undefined;
}

/** Problems that depend on where the image is uploaded: its real format and its size. Nothing for unreadable or non-images. */
export function checkAgainstRule(analysis: ImageAnalysis, rule: UploadRule): ImageProblem[] {
  if (!analysis.readable || !analysis.image || !analysis.format) return [];
  const problems: ImageProblem[] = [];
  if (!rule.formats.includes(canonicalFormat(analysis.format))) problems.push({ code: 'formatNotAllowed', found: analysis.format });
  if (rule.minBytes !== undefined && analysis.bytes < rule.minBytes) {
    problems.push({ code: 'tooSmall', bytes: analysis.bytes, limitBytes: rule.minBytes });
  }
  if (rule.maxInclusive ? analysis.bytes > rule.maxBytes : analysis.bytes >= rule.maxBytes) {
    problems.push({ code: 'tooLarge', bytes: analysis.bytes, limitBytes: rule.maxBytes });
  }
  return problems;
}

/** Problems that hold wherever the image goes: unreadable, not an image, an extension that lies about the format. */
function intrinsicProblems(analysis: Omit<ImageAnalysis, 'problems'>): ImageProblem[] {
  if (!analysis.readable || !analysis.format) return [{ code: 'unreadable' }];
  const problems: ImageProblem[] = [];
  if (!analysis.image) problems.push({ code: 'notImage', found: analysis.format });
  if (analysis.extension && canonicalFormat(analysis.extension) !== canonicalFormat(analysis.format)) {
    problems.push({ code: 'renamed', found: analysis.extension, expected: analysis.format });
  }
  return problems;
}

/** The image's analysis, with what is wrong with it anywhere, plus what is wrong for `rule` when one is given. */
export async function inspectImage(bytes: Buffer, fileName: string | undefined, rule?: UploadContext): Promise<ImageAnalysis> {
  const type = bytes.length ? await fromBuffer(bytes).catch(() => undefined) : undefined;
  const extension = extensionOf(fileName);
  const base = {
    readable: type !== undefined,
    image: type !== undefined && type.mime.startsWith('image/'),
    ...(type ? { format: type.ext as string, mime: type.mime as string } : {}),
    ...(extension ? { extension } : {}),
    bytes: bytes.length,
  };
  const problems = intrinsicProblems(base);
  if (rule === undefined) return { ...base, problems };
  if (!(UPLOAD_CONTEXTS as readonly string[]).includes(rule)) throw new Error(`no upload rule "${rule}"`);
  const all = [...problems, ...checkAgainstRule({ ...base, problems }, facts().uploadRules.rules[rule])];
  return { ...base, rule, ok: all.length === 0, problems: all };
}

/** The analysis judged against a rule (again): the rule-independent problems stay, the rule's are recomputed. */
export function applyRule(analysis: ImageAnalysis, rule: UploadContext): ImageAnalysis {
  const intrinsic = analysis.problems.filter((p) => p.code === 'unreadable' || p.code === 'notImage' || p.code === 'renamed');
  const all = [...intrinsic, ...checkAgainstRule(analysis, facts().uploadRules.rules[rule])];
  return { ...analysis, rule, ok: all.length === 0, problems: all };
}
