import * as zlib from 'zlib';

/**
 * Small real images built byte by byte for the tests, each a valid file of its format, with optional padding
 * (comment segments/chunks, or more pixels) to reach an exact size.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 1×1 red PNG; with totalBytes, a tEXt chunk pads it to exactly that size (at least 89 bytes). */
export function png(totalBytes?: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr)]);
  const tail = Buffer.concat([pngChunk('IDAT', zlib.deflateSync(Buffer.from([0, 255, 0, 0]))), pngChunk('IEND', Buffer.alloc(0))]);
  const base = head.length + tail.length;
  if (totalBytes === undefined) return Buffer.concat([head, tail]);
  const textLength = totalBytes - base - 12 - 'Comment\0'.length;
  if (textLength < 0) throw new Error(`a PNG is at least ${base + 20} bytes with padding`);
  return Buffer.concat([head, pngChunk('tEXt', Buffer.concat([Buffer.from('Comment\0', 'latin1'), Buffer.alloc(textLength, 0x61)])), tail]);
}

function segment(marker: number, data: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([header, data]);
}

/** Comment segments adding exactly `bytes` bytes (0 or at least 4). */
function jpegPadding(bytes: number): Buffer[] {
  const segments: Buffer[] = [];
  let left = bytes;
  while (left > 0) {
    let size = Math.min(left, 65537);
    if (left - size > 0 && left - size < 4) size -= 4;
    if (size < 4) throw new Error('JPEG padding must be 0 or at least 4 bytes');
    segments.push(segment(0xfe, Buffer.alloc(size - 4, 0x20)));
    left -= size;
  }
  return segments;
}

/**
 * An 8×8 mid-grey baseline JPEG: one component, a quantization table of ones, DC and AC Huffman tables with a
 * single 1-bit code each (DC difference 0, end of block), so the scan is the two bits 00 padded with ones.
 * With totalBytes, comment segments pad it to exactly that size.
 */
export function jpeg(totalBytes?: number): Buffer {
  const app0 = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  const dqt = segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof0 = segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
  const counts = Buffer.alloc(16);
  counts[0] = 1;
  const dhtDc = segment(0xc4, Buffer.concat([Buffer.from([0x00]), counts, Buffer.from([0x00])]));
  const dhtAc = segment(0xc4, Buffer.concat([Buffer.from([0x10]), counts, Buffer.from([0x00])]));
  const sos = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  const parts = [Buffer.from([0xff, 0xd8]), app0, dqt, sof0, dhtDc, dhtAc, sos, Buffer.from([0x3f]), Buffer.from([0xff, 0xd9])];
  const base = parts.reduce((n, p) => n + p.length, 0);
  if (totalBytes === undefined) return Buffer.concat(parts);
  return Buffer.concat([parts[0], parts[1], ...jpegPadding(totalBytes - base), ...parts.slice(2)]);
}

/** A 1×1 GIF89a: a two-colour palette and the LZW codes CLEAR, 0, END (3 bits each: 0x44 0x01). */
export function gif(): Buffer {
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]),
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]),
    Buffer.from([2, 2, 0x44, 0x01, 0]),
    Buffer.from([0x3b]),
  ]);
}

/** A width×height 24-bit BMP (rows padded to 4 bytes): 54 + height × ceil(3 × width / 4) × 4 bytes. */
export function bmp(width = 1, height = 1): Buffer {
  const row = Math.ceil((3 * width) / 4) * 4;
  const pixels = Buffer.alloc(row * height, 0x80);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  header.writeInt32LE(2835, 38);
  header.writeInt32LE(2835, 42);
  return Buffer.concat([header, pixels]);
}

/** A one-page PDF header and trailer: not an image. */
export function pdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
}
