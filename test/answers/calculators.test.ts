import * as fs from 'fs';
import * as path from 'path';
import { calculators, CALCULATOR_NAMES, formatDate, withoutNameMarks, type CalculatorContext } from '../../answers/calculators';
import { analyzeCertNumber } from '../../answers/certNumber';
import { inspectImage } from '../../answers/imageCheck';
import { FACTS_KNOWLEDGE_DIR } from '../../answers/facts';
import { bmp, jpeg, png } from './images';

const TODAY = '2026-11-20';
const run = (name: string, lang: 'zh' | 'en', slots: Record<string, unknown>, product = 'domain', today = TODAY) =>
  calculators[name]({ lang, today, slots, product } satisfies CalculatorContext);

describe('calculator registry', () => {
  it('has exactly the names the entry schema allows in compute', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(FACTS_KNOWLEDGE_DIR, 'schema', 'entry.schema.json'), 'utf8'));
    expect([...CALCULATOR_NAMES].sort()).toEqual([...schema.properties.compute.items.enum].sort());
    for (const name of CALCULATOR_NAMES) expect(typeof calculators[name]).toBe('function');
  });

  it.each([...CALCULATOR_NAMES])('%s returns nothing without its inputs, and only scalars', (name) => {
    for (const lang of ['zh', 'en'] as const) {
      expect(run(name, lang, {}, 'dayu')).toEqual({});
    }
  });
});

describe('resubmit', () => {
  it('adds 10 calendar days and formats the dates in Chinese', () => {
    expect(run('resubmit', 'zh', { issueDate: '2026-11-15' })).toEqual({
      issueDate: '2026年11月15日（2026-11-15）',
      issueDateIso: '2026-11-15',
      resubmitDate: '2026年11月25日（2026-11-25）',
      resubmitDateIso: '2026-11-25',
      resubmitPassed: false,
      daysLeft: 5,
    });
  });

  it('formats the dates in English', () => {
    expect(run('resubmit', 'en', { issueDate: '2026-11-15' })).toMatchObject({
      issueDate: 'November 15, 2026 (2026-11-15)',
      resubmitDate: 'November 25, 2026 (2026-11-25)',
    });
  });

  it('has passed on the resubmit date itself and after it', () => {
    expect(run('resubmit', 'en', { issueDate: '2026-11-10' })).toMatchObject({ resubmitDateIso: '2026-11-20', resubmitPassed: true, daysLeft: 0 });
    expect(run('resubmit', 'zh', { issueDate: '2026-10-01' })).toMatchObject({ resubmitPassed: true, daysLeft: 0 });
    expect(run('resubmit', 'zh', { issueDate: '2026-11-11' })).toMatchObject({ resubmitPassed: false, daysLeft: 1 });
  });

  it('crosses months, years and leap days without time-zone drift', () => {
    expect(run('resubmit', 'en', { issueDate: '2026-12-25' }, 'domain', '2026-12-31')).toMatchObject({ resubmitDateIso: '2027-01-04', daysLeft: 4 });
    expect(run('resubmit', 'zh', { issueDate: '2028-02-25' }, 'domain', '2028-02-25')).toMatchObject({ resubmitDateIso: '2028-03-06', daysLeft: 10 });
    expect(run('resubmit', 'zh', { issueDate: '2027-02-25' }, 'domain', '2027-02-25')).toMatchObject({ resubmitDateIso: '2027-03-07' });
    // The same answer whatever the process's time zone.
    const tz = process.env.TZ;
    for (const zone of ['America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) {
      process.env.TZ = zone;
      expect(run('resubmit', 'en', { issueDate: '2026-03-29' }, 'domain', '2026-04-08')).toMatchObject({ resubmitDateIso: '2026-04-08', resubmitPassed: true });
    }
    process.env.TZ = tz;
  });

  it('decides nothing from a date that is not a real yyyy-mm-dd date, and no pass without today', () => {
    for (const issueDate of ['2026-02-30', '2026/11/15', 'yesterday', 20261115]) expect(run('resubmit', 'zh', { issueDate })).toEqual({});
    const noToday = run('resubmit', 'zh', { issueDate: '2026-11-15' }, 'domain', '');
    expect(noToday).toMatchObject({ resubmitDateIso: '2026-11-25' });
    expect(noToday).not.toHaveProperty('resubmitPassed');
  });

  it('formats single-digit months and days without padding', () => {
    expect(formatDate('2026-01-05', 'zh')).toBe('2026年1月5日（2026-01-05）');
    expect(formatDate('2026-01-05', 'en')).toBe('January 5, 2026 (2026-01-05)');
  });
});

describe('cnRegistration', () => {
  it('reads the China site table by region and holder type', () => {
    expect(run('cnRegistration', 'zh', { site: 'china', region: 'hk', holderType: 'individual' })).toEqual({
      siteName: '阿里云中国站',
      regionName: '中国香港',
      holderTypeName: '个人',
      chinaSiteSupported: false,
    });
    expect(run('cnRegistration', 'en', { site: 'china', region: 'hk', holderType: 'organization' })).toEqual({
      siteName: 'the Alibaba Cloud China site',
      regionName: 'Hong Kong (China)',
      holderTypeName: 'company or organization',
      chinaSiteSupported: true,
    });
    expect(run('cnRegistration', 'en', { region: 'mo', holderType: 'individual' }).chinaSiteSupported).toBe(false);
  });

  it('decides without the holder type when the region answers the same for both', () => {
    expect(run('cnRegistration', 'zh', { region: 'tw' })).toEqual({ regionName: '中国台湾', chinaSiteSupported: false });
    expect(run('cnRegistration', 'en', { region: 'overseas' })).toEqual({ regionName: 'other countries and regions', chinaSiteSupported: false });
    expect(run('cnRegistration', 'en', { region: 'mainland' }).chinaSiteSupported).toBe(true);
    expect(run('cnRegistration', 'zh', { region: 'hk' })).toEqual({ regionName: '中国香港' });
  });

  it('gives no China-site verdict on the international site, where every region and holder type is supported', () => {
    expect(run('cnRegistration', 'en', { site: 'international', region: 'hk', holderType: 'individual' }).chinaSiteSupported).toBeUndefined();
    expect(run('cnRegistration', 'zh', { site: 'international' })).toEqual({ siteName: '阿里云国际站' });
  });

  it('ignores values it does not know', () => {
    expect(run('cnRegistration', 'zh', { region: 'mars', holderType: 'robot' })).toEqual({});
  });
});

describe('uploadRule', () => {
  it('gives the China site rule in both languages', () => {
    expect(run('uploadRule', 'zh', { site: 'china' })).toEqual({ uploadRule: 'china', ruleName: '阿里云中国站域名实名认证', ruleFormats: 'JPG、BMP', ruleSize: '55 KB～1 MB' });
    expect(run('uploadRule', 'en', { site: 'china' })).toMatchObject({ ruleFormats: 'JPG or BMP', ruleSize: '55 KB to 1 MB' });
  });

  it('gives the international site rule', () => {
    expect(run('uploadRule', 'en', { site: 'international' })).toMatchObject({ uploadRule: 'international', ruleFormats: 'JPG, JPEG, PNG, BMP, HEIC or WebP', ruleSize: '55 KB to 5 MB' });
    expect(run('uploadRule', 'zh', { site: 'international' })).toMatchObject({ ruleSize: '55 KB～5 MB' });
  });

  it('gives the ICP app rule for ICP entries, whatever the site', () => {
    expect(run('uploadRule', 'zh', { site: 'china' }, 'icp')).toEqual({ uploadRule: 'icp', ruleName: '阿里云APP备案资料上传', ruleFormats: 'JPG、JPEG、PNG、GIF', ruleSize: '每张小于 4 MB' });
    expect(run('uploadRule', 'en', {}, 'icp')).toMatchObject({ ruleSize: 'under 4 MB each' });
    expect(run('uploadRule', 'en', { product: 'icp' }, 'general')).toMatchObject({ uploadRule: 'icp' });
  });

  it('needs the site for domain entries', () => {
    expect(run('uploadRule', 'zh', {})).toEqual({});
    expect(run('uploadRule', 'zh', { site: 'china' }, 'dayu')).toEqual({});
  });
});

describe('imageCheck', () => {
  it('lists what is wrong, in Chinese, against the site rule', async () => {
    const image = await inspectImage(png(100 * 1024), 'id.jpg');
    const f = run('imageCheck', 'zh', { site: 'china', image });
    expect(f).toMatchObject({ imageChecked: true, imageOk: false, imageFormat: 'PNG', imageRenamed: true, imageProblemCount: 2, imageSize: '100 KB' });
    expect(f.imageProblems).toBe(
      [
        '- 文件名后缀是 .jpg，但文件内容实际是 PNG 格式：直接修改后缀不会改变图片格式，上传后系统会无法识别。请用画图等工具打开原图，另存为所需格式。',
        '- 图片实际格式是 PNG，阿里云中国站域名实名认证只支持 JPG、BMP：请用画图等工具打开后另存为 JPG、BMP 格式（不要只改后缀）。',
      ].join('\n'),
    );
  });

  it('lists what is wrong, in English, with sizes in KB and MB', async () => {
    const small = run('imageCheck', 'en', { site: 'international', image: await inspectImage(jpeg(40 * 1024 + 300), 'a.jpg') });
    expect(small).toMatchObject({ imageOk: false, imageFormat: 'JPG', imageProblemCount: 1 });
    expect(small.imageProblems).toBe('- The image is 40.3 KB, below the minimum of 55 KB (55 KB to 5 MB required); scan or photograph it again at a higher resolution, or save it at a higher quality.');
    const large = run('imageCheck', 'en', { site: 'china', image: await inspectImage(jpeg(1024 * 1024 + 1), 'a.jpg') });
    expect(large.imageProblems).toBe('- The image is 1 MB (1,048,577 bytes), larger than allowed (55 KB to 1 MB); reduce its dimensions or quality in an image editor and save it again.');
    const zh = run('imageCheck', 'zh', { site: 'china', image: await inspectImage(jpeg(2 * 1024 * 1024 + 300 * 1024), 'a.jpg') });
    expect(zh.imageProblems).toBe('- 图片大小为 2.29 MB，超出了要求（55 KB～1 MB）：请用画图等工具缩小尺寸或降低质量后另存。');
  });

  it('says the image is fine when it meets the rule', async () => {
    const f = run('imageCheck', 'zh', { site: 'china', image: await inspectImage(bmp(150, 150), 'license.bmp') });
    expect(f).toMatchObject({ imageChecked: true, imageOk: true, imageFormat: 'BMP', imageProblemCount: 0, imageProblems: '' });
    expect(run('imageCheck', 'en', { image: await inspectImage(png(), 'a.png') }, 'icp')).toMatchObject({ imageOk: true });
  });

  it('without a rule, reports only what is wrong anywhere and never calls the image fine', async () => {
    const fine = run('imageCheck', 'en', { image: await inspectImage(png(100 * 1024), 'a.png') });
    expect(fine).toMatchObject({ imageChecked: true, imageProblemCount: 0 });
    expect(fine).not.toHaveProperty('imageOk');
    const renamed = run('imageCheck', 'en', { image: await inspectImage(png(100 * 1024), 'a.jpg', 'china') });
    expect(renamed).toMatchObject({ imageOk: false, imageProblemCount: 1, imageRenamed: true });
  });

  it('says when the file could not be read', async () => {
    const f = run('imageCheck', 'zh', { site: 'china', image: await inspectImage(Buffer.alloc(0), 'a.jpg') });
    expect(f).toMatchObject({ imageOk: false, imageFormat: '无法识别的格式', imageSize: '0 字节' });
    expect(f.imageProblems).toBe('- 无法读取这个文件的内容（文件可能为空、已损坏或不是图片）：请重新发送证件的原始图片。');
    expect(run('imageCheck', 'en', { image: await inspectImage(Buffer.alloc(0), undefined) })).toMatchObject({ imageOk: false, imageFormat: 'an unrecognized format' });
  });
});

describe('legalRep', () => {
  it('says whether the province requires the legal representative', () => {
    expect(run('legalRep', 'zh', { province: 'guangdong' }, 'icp')).toEqual({ legalRepRequired: true, provinceName: '广东' });
    expect(run('legalRep', 'en', { province: 'shaanxi' }, 'icp')).toEqual({ legalRepRequired: true, provinceName: 'Shaanxi' });
    expect(run('legalRep', 'en', { province: 'shanxi' }, 'icp')).toEqual({ legalRepRequired: false, provinceName: 'Shanxi' });
    expect(run('legalRep', 'zh', { province: 'beijing' }, 'icp')).toEqual({ legalRepRequired: false, provinceName: '北京' });
    expect(run('legalRep', 'en', { province: 'neimenggu' }, 'icp')).toEqual({ legalRepRequired: true, provinceName: 'Inner Mongolia' });
  });

  it('accepts a Chinese province name and ignores unknown ones', () => {
    expect(run('legalRep', 'en', { province: '湖北' }, 'icp')).toEqual({ legalRepRequired: true, provinceName: 'Hubei' });
    expect(run('legalRep', 'en', { province: 'atlantis' }, 'icp')).toEqual({});
  });
});

describe('certNumber', () => {
  it('renders each problem with its position, in Chinese', () => {
    const f = run('certNumber', 'zh', { certNumber: analyzeCertNumber('1101O5 19491231002x', 'idCard') });
    expect(f).toEqual({
      certNumberChecked: true,
      certNumberOk: false,
      certNumberMasked: '110*************2x',
      certNumberKind: 'idCard',
      certNumberKindName: '居民身份证号码',
      certNumberProblemCount: 3,
      certNumberProblems: [
        '- 第 5 位是字母“O”，这一位只能是数字，应该是数字“0”：请对照证件核对，注意区分数字 0 和字母 O、数字 1 和字母 I、数字 8 和字母 B。',
        '- 第 6 位和第 7 位之间有空格：证件号码中不能有空格或分隔符，请删除。',
        '- 第 18 位是小写字母“x”，请改为大写字母“X”。',
      ].join('\n'),
    });
  });

  it('renders each problem with its position, in English', () => {
    const f = run('certNumber', 'en', { certNumber: analyzeCertNumber('91350100M000100Y4', 'usccCert') });
    expect(f).toMatchObject({ certNumberOk: false, certNumberKindName: 'Unified Social Credit Code', certNumberProblemCount: 1 });
    expect(f.certNumberProblems).toBe('- The number has 17 characters, but a Unified Social Credit Code has 18; check for a missing or extra character.');
    expect(run('certNumber', 'en', { certNumber: analyzeCertNumber('110105194912310021', 'idCard') }).certNumberProblems).toBe(
      '- The check character does not match; from the first 17 characters, character 18 should be "X", but "1" was typed. Usually one character is mistyped (not necessarily the last one); compare every character with the certificate.',
    );
    expect(run('certNumber', 'en', { certNumber: analyzeCertNumber('911100008021004338', 'businessLicense') }).certNumberProblems).toBe(
      '- The check character does not match: character 18 was typed as the digit "8"; if the certificate actually has the letter "B" there (the two look alike), the number checks out. Compare this character with the certificate.',
    );
  });

  it('renders separators at the start and end, full-width characters, excluded letters and type mismatches', () => {
    const zh = (raw: string, type?: string) => run('certNumber', 'zh', { certNumber: analyzeCertNumber(raw, type) }).certNumberProblems;
    expect(zh('-91350100M000100Y43', 'usccCert')).toBe('- 号码开头有“-”：证件号码中不能有空格或分隔符，请删除。');
    expect(zh('91350100M000100Y43。', 'usccCert')).toBe('- 号码末尾有“。”：证件号码中不能有空格或分隔符，请删除。');
    expect(zh('９1350100M000100Y43', 'usccCert')).toBe('- 第 1 位“９”是全角字符，请切换到半角（英文）输入法，输入为“9”。');
    expect(zh('91350100MV00100Y43', 'usccCert')).toContain('- 第 10 位是字母“V”：统一社会信用代码不使用字母 I、O、Z、S、V，请对照证件核对这一位。');
    expect(zh('91350100M0001O0Y43', 'usccCert')).toBe('- 第 14 位是字母“O”：统一社会信用代码不使用字母 I、O、Z、S、V，这一位应该是数字“0”。');
    expect(zh('91350100M000100Y43', 'idCard')).toBe('- 这个号码看起来是统一社会信用代码，但所选的证件类型对应的是居民身份证号码：证件类型需与实际上传的证件严格一致。');
    expect(run('certNumber', 'en', { certNumber: analyzeCertNumber('110105194913310021', 'idCard') }).certNumberProblems).toContain(
      '- Characters 7 to 14 should be the date of birth (year, month, day), but they do not form a valid date; check them against the certificate.',
    );
  });

  it('says a valid number is fine', () => {
    expect(run('certNumber', 'zh', { certNumber: analyzeCertNumber('11010519491231002X') })).toMatchObject({ certNumberChecked: true, certNumberOk: true, certNumberProblemCount: 0, certNumberProblems: '' });
  });

  it('does not decide on numbers it cannot check', () => {
    const f = run('certNumber', 'en', { certNumber: analyzeCertNumber('E12345678', 'passport') });
    expect(f).toMatchObject({ certNumberChecked: false, certNumberKindName: 'certificate number' });
    expect(f).not.toHaveProperty('certNumberOk');
  });

  it('never renders a raw number put in the slots by mistake', () => {
    expect(run('certNumber', 'zh', { certNumber: '11010519491231002X' })).toEqual({});
    const f = run('certNumber', 'en', { certNumber: analyzeCertNumber('110105 19491231002x', 'idCard') });
    expect(JSON.stringify(f)).not.toMatch(/19491231/);
  });
});

describe('holderName', () => {
  it('keeps the Chinese field as typed and drops the marks for the English field', () => {
    expect(run('holderName', 'zh', { holderName: '阿卜杜·热合曼' })).toEqual({ nameZh: '阿卜杜·热合曼', nameEn: '阿卜杜热合曼', hasSpecialMarks: true });
    expect(run('holderName', 'en', { holderName: '《读者》杂志社' })).toEqual({ nameZh: '《读者》杂志社', nameEn: '读者杂志社', hasSpecialMarks: true });
    expect(run('holderName', 'en', { holderName: '张三' })).toEqual({ nameZh: '张三', nameEn: '张三', hasSpecialMarks: false });
  });

  it('tidies the spaces around removed marks', () => {
    expect(withoutNameMarks('阿卜杜 · 热合曼')).toBe('阿卜杜热合曼');
    expect(withoutNameMarks('John•Smith')).toBe('John Smith');
    expect(withoutNameMarks('Mary ‧ Jane  Watson')).toBe('Mary Jane Watson');
    expect(withoutNameMarks(' 《 Reader 》 Press ')).toBe('Reader Press');
  });
});

describe('occupation', () => {
  it('marks military and monks as special occupations, in either language', () => {
    for (const lang of ['zh', 'en'] as const) {
      expect(run('occupation', lang, { occupation: 'military' })).toEqual({ specialOccupation: true });
      expect(run('occupation', lang, { occupation: 'monk' })).toEqual({ specialOccupation: true });
      expect(run('occupation', lang, { occupation: 'teacher' })).toEqual({ specialOccupation: false });
    }
  });
});
