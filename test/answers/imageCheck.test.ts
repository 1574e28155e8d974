import { inspectImage, applyRule, canonicalFormat } from '../../answers/imageCheck';
import { bmp, gif, jpeg, pdf, png } from './images';

const KB = 1024;
const MB = 1024 * 1024;

describe('inspectImage: what the file really is', () => {
  it.each([
    ['png', png(), 'image/png'],
    ['jpg', jpeg(), 'image/jpeg'],
    ['gif', gif(), 'image/gif'],
    ['bmp', bmp(), 'image/bmp'],
  ])('reads a real %s from its bytes', async (format, bytes, mime) => {
    const a = await inspectImage(bytes, `scan.${format}`);
    expect(a).toEqual({ readable: true, image: true, format, mime, extension: format, bytes: bytes.length, problems: [] });
  });

  it('spots a renamed extension, the classic cause', async () => {
    const a = await inspectImage(png(), 'id-card.jpg');
    expect(a.problems).toEqual([{ code: 'renamed', found: 'jpg', expected: 'png' }]);
    expect((await inspectImage(bmp(), 'license.JPG')).problems).toEqual([{ code: 'renamed', found: 'jpg', expected: 'bmp' }]);
  });

  it('treats jpg, jpeg and JPG as the same format', async () => {
    for (const name of ['a.jpeg', 'a.JPG', 'a.jpe', 'a.jfif']) expect((await inspectImage(jpeg(), name)).problems).toEqual([]);
    expect(canonicalFormat('JPEG')).toBe('jpg');
    expect(canonicalFormat('heif')).toBe('heic');
  });

  it('judges no extension when the name has none', async () => {
    for (const name of [undefined, '', 'scan', '.hidden', 'photo.']) expect((await inspectImage(png(), name)).problems).toEqual([]);
  });

  it('says when the file cannot be read or is not an image', async () => {
    expect((await inspectImage(Buffer.alloc(0), 'a.jpg')).problems).toEqual([{ code: 'unreadable' }]);
    expect(await inspectImage(Buffer.from('just some text, not a picture'), 'a.jpg')).toMatchObject({ readable: false, image: false, problems: [{ code: 'unreadable' }] });
    const doc = await inspectImage(pdf(), 'scan.jpg');
    expect(doc).toMatchObject({ readable: true, image: false, format: 'pdf' });
    expect(doc.problems).toEqual([
      { code: 'notImage', found: 'pdf' },
      { code: 'renamed', found: 'jpg', expected: 'pdf' },
    ]);
  });

  it('keeps neither the bytes nor the file name, and survives JSON', async () => {
    const a = await inspectImage(png(), '张三身份证.jpg', 'china');
    const json = JSON.stringify(a);
    expect(JSON.parse(json)).toEqual(a);
    expect(json).not.toContain('张三');
    expect(Object.values(a).some((v) => Buffer.isBuffer(v))).toBe(false);
  });
});

describe('inspectImage: upload rules', () => {
  it('China site: JPG or BMP, 55 KB to 1 MB inclusive (1 KB = 1024 bytes)', async () => {
    expect(await inspectImage(jpeg(60 * KB), 'a.jpg', 'china')).toMatchObject({ rule: 'china', ok: true, problems: [] });
    expect((await inspectImage(bmp(150, 150), 'a.bmp', 'china')).ok).toBe(true);
    expect((await inspectImage(jpeg(55 * KB), 'a.jpg', 'china')).ok).toBe(true);
    expect((await inspectImage(jpeg(MB), 'a.jpg', 'china')).ok).toBe(true);
    expect((await inspectImage(jpeg(55 * KB - 1), 'a.jpg', 'china')).problems).toEqual([{ code: 'tooSmall', bytes: 55 * KB - 1, limitBytes: 55 * KB }]);
    expect((await inspectImage(jpeg(MB + 1), 'a.jpg', 'china')).problems).toEqual([{ code: 'tooLarge', bytes: MB + 1, limitBytes: MB }]);
    expect((await inspectImage(png(100 * KB), 'a.png', 'china')).problems).toEqual([{ code: 'formatNotAllowed', found: 'png' }]);
  });

  it('China site: a PNG renamed to .jpg is both the wrong format and renamed', async () => {
    const a = await inspectImage(png(100 * KB), 'a.jpg', 'china');
    expect(a.ok).toBe(false);
    expect(a.problems).toEqual([
      { code: 'renamed', found: 'jpg', expected: 'png' },
      { code: 'formatNotAllowed', found: 'png' },
    ]);
  });

  it('international site: JPG, PNG, BMP, HEIC, WebP, 55 KB to 5 MB', async () => {
    expect((await inspectImage(png(100 * KB), 'a.png', 'international')).ok).toBe(true);
    expect((await inspectImage(jpeg(5 * MB), 'a.jpg', 'international')).ok).toBe(true);
    expect((await inspectImage(jpeg(5 * MB + 1), 'a.jpg', 'international')).problems).toEqual([{ code: 'tooLarge', bytes: 5 * MB + 1, limitBytes: 5 * MB }]);
    expect((await inspectImage(gif(), 'a.gif', 'international')).problems).toEqual([
      { code: 'formatNotAllowed', found: 'gif' },
      { code: 'tooSmall', bytes: gif().length, limitBytes: 55 * KB },
    ]);
  });

  it('ICP app: JPG, JPEG, PNG, GIF under 4 MB, no minimum', async () => {
    expect((await inspectImage(gif(), 'a.gif', 'icp')).ok).toBe(true);
    expect((await inspectImage(png(), 'a.png', 'icp')).ok).toBe(true);
    expect((await inspectImage(jpeg(4 * MB - 1), 'a.jpeg', 'icp')).ok).toBe(true);
    expect((await inspectImage(jpeg(4 * MB), 'a.jpeg', 'icp')).problems).toEqual([{ code: 'tooLarge', bytes: 4 * MB, limitBytes: 4 * MB }]);
    expect((await inspectImage(bmp(), 'a.bmp', 'icp')).problems).toEqual([{ code: 'formatNotAllowed', found: 'bmp' }]);
  });

  it('does not judge format or size of what is not a readable image', async () => {
    expect((await inspectImage(Buffer.alloc(0), undefined, 'china')).problems).toEqual([{ code: 'unreadable' }]);
    expect((await inspectImage(pdf(), 'a.pdf', 'china')).problems).toEqual([{ code: 'notImage', found: 'pdf' }]);
  });

  it('re-judges an analysis against another rule', async () => {
    const a = await inspectImage(png(100 * KB), 'a.jpg');
    expect(a.ok).toBeUndefined();
    expect(applyRule(a, 'international')).toMatchObject({ rule: 'international', ok: false, problems: [{ code: 'renamed' }] });
    expect(applyRule(applyRule(a, 'china'), 'international').problems).toEqual([{ code: 'renamed', found: 'jpg', expected: 'png' }]);
  });
});
