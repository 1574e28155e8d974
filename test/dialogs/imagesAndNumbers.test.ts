import * as zlib from 'zlib';
import { BotHarness } from '../helpers/botHarness';
import { messageLimits } from '../../understanding/limits';

/** QA #10: a certificate number or an image the current question or answer does not ask for is looked at, never passed over. */

/** A small valid PNG, as a data: URL attachment with the given file name. */
function png(name: string) {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(16, 0);
  header.writeUInt32BE(16, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: 16 }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(48, 0x80)])));
  const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
  return { attachments: [{ contentType: 'image/png', contentUrl: `data:image/png;base64,${bytes.toString('base64')}`, name }] };
}

describe('a certificate number after an answer that does not depend on it', () => {
  it('is checked, masked, and the answer said to stand (zh)', async () => {
    const bot = new BotHarness();
    expect((await bot.last('提示注册者证件不完整')).intent).toBe('domain.cert-incomplete');
    const checked = await bot.last('我填的身份证号是 110105194912310021');
    expect(checked.intent).toBe('domain.cert-incomplete');
    expect(checked.text).not.toMatch(/没有说明/);
    expect(checked.text).not.toContain('110105194912310021');
    expect(checked.text).toMatch(/不取决于证件号码/);
    expect(checked.text).toMatch(/校验/);
  });

  it('says a well-formed number is fine (en)', async () => {
    const bot = new BotHarness({ locale: 'en-US' });
    expect((await bot.last('registrant certificate incomplete')).intent).toBe('domain.cert-incomplete');
    const checked = await bot.last('my id number is 11010519491231002X');
    expect(checked.text).toMatch(/does not depend on the certificate number/);
    expect(checked.text).toMatch(/right/);
    expect(checked.text).not.toContain('11010519491231002X');
  });
});

describe('an image the question does not ask for', () => {
  it('at the certificate-number question: inspected, then the question asked again', async () => {
    const bot = new BotHarness();
    await bot.last('证件号码位数不正确');
    expect((await bot.last('居民身份证')).slot).toBe('certNumber');
    const replies = await bot.say('', png('id.jpg'));
    expect(replies.map((r) => r.text).join('\n')).not.toMatch(/没有识别到证件号码/);
    expect(replies[0].text).toMatch(/收到图片/);
    // A PNG named .jpg: renamed by hand, which fails on every site.
    expect(replies[0].text).toMatch(/后缀|扩展名|改/);
    expect(replies[replies.length - 1].slot).toBe('certNumber');
  });

  it('after a 大鱼号 answer: acknowledged, nothing judged', async () => {
    const bot = new BotHarness();
    expect((await bot.last('大鱼号实名提示认证主体不可作为大鱼号的有效主体')).intent).toMatch(/^dayu\./);
    const [ack] = await bot.say('', png('shot.png'));
    expect(ack.text).toMatch(/收到图片/);
    expect(ack.text).toMatch(/不需要看图片/);
  });

  it('sent with a text too long to read: the notice, and the image looked at too', async () => {
    const bot = new BotHarness();
    const long = '我的域名实名审核一直过不去，'.repeat(Math.ceil(messageLimits().messageMaxLength / 14) + 1);
    const replies = await bot.say(long, png('photo.png'));
    expect(replies[0].text).toMatch(/太长/);
    expect(replies.length).toBeGreaterThan(1);
    expect(replies[1].text).toMatch(/收到图片/);
  });

  it('sent with a text too long to read at the image question of an upload entry: kept for the answer', async () => {
    const bot = new BotHarness({ locale: 'en-US' });
    expect((await bot.last('file format not supported when uploading')).slot).toBe('site');
    const replies = await bot.say('x'.repeat(messageLimits().messageMaxLength + 5), png('scan.png'));
    expect(replies[0].text).toMatch(/too long/);
    expect(replies.map((r) => r.text).join('\n')).toMatch(/image/i);
    expect(replies[replies.length - 1].slot).toBe('site');
  });
});
