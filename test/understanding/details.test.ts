import * as OpenCC from 'opencc-js';
import { extractDetails, recognizeSlotAnswer, findDate } from '../../understanding/details';
import { chineseAwareTokenizer } from '../../understanding/choiceTokenizer';
import { recognizeChoices } from 'botbuilder-dialogs';

const zh = { lang: 'zh' as const, today: '2026-11-22' };
const en = { lang: 'en' as const, today: '2026-11-22' };
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

describe('details said in passing', () => {
  it.each([
    ['我是香港的个人用户', zh, { region: 'hk', holderType: 'individual' }],
    ['前天刚换的新身份证', zh, { certType: 'idCard', issueDate: '2026-11-20' }],
    ["we're a Taiwan company on the China site", en, { region: 'tw', holderType: 'organization', site: 'china' }],
    ['我們是澳門的公司，在國際站註冊的', zh, { region: 'mo', holderType: 'organization', site: 'international' }],
    ['主办单位负责人姓名与工商信息库登记信息不一致，我们在广东', zh, { province: 'guangdong' }],
    ['上传时提示支持55K~1M的JPG、BMP图片', zh, { site: 'china' }],
    ['the file size must be in the range of 55 KB to 5 MB', en, { site: 'international' }],
    ['我是军人，提示库中无此号', zh, { occupation: 'military' }],
    ['营业执照上个月10号才发下来', zh, { certType: 'businessLicense', issueDate: '2026-10-10' }],
    ['I got my new ID card three days ago', en, { certType: 'idCard', issueDate: '2026-11-19' }],
  ])('%s', (text, options, expected) => {
    expect(extractDetails(text, options)).toMatchObject(expected);
  });

  it('does not read system wording as a detail', () => {
    expect(extractDetails('提交资料显示为海外用户', zh)).toEqual({});
    expect(extractDetails('实名认证提示境外个人或组织用户', zh)).toEqual({});
    expect(extractDetails('日本的个人买了.公司域名', zh)).toMatchObject({ region: 'overseas', holderType: 'individual' });
  });

  it('takes a whole certificate type before the region inside it', () => {
    expect(extractDetails('我用的是港澳居民来往内地通行证', zh)).toEqual({ certType: 'hmTravelPermit' });
  });

  it('finds certificate numbers with spaces or look-alike letters, and names with · or 《》', () => {
    expect(extractDetails('身份证号 1101 0519 4912 3100 2X 提示库中无此号', zh).certNumber).toBe('1101 0519 4912 3100 2X');
    expect(extractDetails('号码是11010519491231OO2X', zh).certNumber).toBe('11010519491231OO2X');
    expect(extractDetails('我的名字是买买提·艾力，提示联系人信息无效', zh).holderName).toBe('买买提·艾力');
    expect(extractDetails('《星辰》文化传媒有限公司提示联系人信息无效', zh).holderName).toBe('《星辰》文化传媒有限公司');
    expect(extractDetails('我名字里有个·，提示联系人信息无效', zh).holderName).toBeUndefined();
  });

  it('reads traditional Chinese the same way', () => {
    expect(extractDetails(toTraditional('我是香港的个人用户，前天刚换的新身份证'), zh)).toMatchObject({ region: 'hk', holderType: 'individual', certType: 'idCard', issueDate: '2026-11-20' });
  });
});

describe('answers to a question', () => {
  it.each([
    ['region', '我是香港的', 'hk'],
    ['region', '2', 'hk'],
    ['region', '第三个', 'mo'],
    ['holderType', '个人', 'individual'],
    ['holderType', 'a company', 'organization'],
    ['province', '粤', 'guangdong'],
    ['province', 'Inner Mongolia', 'neimenggu'],
    ['site', 'intl', 'international'],
    ['issueDate', '三天前', '2026-11-19'],
    ['issueDate', '2026年11月15日', '2026-11-15'],
    ['issueDate', 'Nov 15', '2026-11-15'],
    ['issueDate', '11月3号', '2026-11-03'],
    ['certNumber', '11010519491231OO2X', '11010519491231OO2X'],
  ])('%s ← "%s"', (slot, text, expected) => {
    expect(recognizeSlotAnswer(slot, text, slot === 'holderType' && /[a-z]/.test(text) ? en : zh)).toBe(expected);
  });

  it.each(['不知道', '不清楚啊', "I'm not sure", 'no idea', 'skip'])('"%s" means unknown', (text) => {
    expect(recognizeSlotAnswer('issueDate', text, zh)).toEqual({ unknown: true });
    expect(recognizeSlotAnswer('region', text, zh)).toEqual({ unknown: true });
  });

  it('is not an answer when it says nothing', () => {
    expect(recognizeSlotAnswer('region', '嗯嗯', zh)).toBeUndefined();
    expect(recognizeSlotAnswer('issueDate', '好的', zh)).toBeUndefined();
  });

  it('does not take the moment of writing for the date beside another date, or where it dates the failure', () => {
    expect(findDate('驾照是11月18号换的，今天早上登录看到域名实名被驳回了', zh)).toBe('2026-11-18');
    expect(findDate('现在审核提示失败了，证件是新的', zh)).toBeUndefined();
    expect(findDate('renewed my passport 4 days ago and now the check is rejected', en)).toBe('2026-11-18');
    expect(findDate('今天才领到的新执照', zh)).toBe('2026-11-22');
    expect(findDate('today', en)).toBe('2026-11-22');
  });

  it('returns a future date as is, for the dialog to refuse', () => {
    expect(findDate('2026年12月20日', zh)).toBe('2026-12-20');
  });
});

describe('choice tokenizer', () => {
  it('lets the choice recognizer find 香港 inside a Chinese sentence', () => {
    const found = recognizeChoices('我是香港的', ['中国内地', '中国香港', '中国澳门'].map((value, i) => ({ value, synonyms: [['内地', '香港', '澳门'][i]] })), { tokenizer: chineseAwareTokenizer });
    expect(found[0]?.resolution.value).toBe('中国香港');
  });

  it('keeps Latin words whole', () => {
    expect(chineseAwareTokenizer('Hong Kong公司').map((t) => t.normalized)).toEqual(['hong', 'kong', '公', '司']);
  });
});
