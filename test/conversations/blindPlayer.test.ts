import * as http from 'http';
import { check, matches, normalize, playConversation, renderText, type Conversation, type Reply } from './blindPlayer';
import { listen } from '../helpers/servers';

const TODAY = '2026-12-02';
const reply = (text: string, extra: Partial<Reply> = {}): Reply => ({ text, candidates: [], handoff: false, ...extra });

describe('blind player: dates', () => {
  it('renders offsets from the run date in each language and form', () => {
    expect(renderText('{date:-3}', 'zh', TODAY)).toBe('2026年11月29日');
    expect(renderText('issued {date:-3}', 'en', TODAY)).toBe('issued November 29, 2026');
    expect(renderText('{date:+30:iso} {date:-2:md} {date:-2:mdzh} {date:0:slash}', 'zh', TODAY)).toBe('2027-01-01 11月30号 11月30日 2026/12/2');
    expect(renderText('{date:-2:md}', 'en', TODAY)).toBe('Nov 30');
  });

  it('matches a date pattern in any of the forms answers write, and no other day', () => {
    const zh = normalize('请在 **2026年12月9日（2026-12-09）** 当天或之后重新提交');
    expect(matches('{date:+7}', zh, TODAY)).toBe(true);
    expect(matches('{date:+8}', zh, TODAY)).toBe(false);
    expect(matches('{date:+7}', normalize('on or after **December 9, 2026 (2026-12-09)**'), TODAY)).toBe(true);
    expect(matches('{date:+7}', normalize('12月9日之后'), TODAY)).toBe(true);
    expect(matches('{date:+7}', normalize('12月19日之后'), TODAY)).toBe(false);
  });
});

describe('blind player: text patterns', () => {
  it('folds traditional characters, full-width forms and case on both sides', () => {
    const text = normalize('請提交身份證的個人信息面，大小 ５５Ｋ～１Ｍ，PNG');
    expect(matches('身份证', text, TODAY)).toBe(true);
    expect(matches('55K~1M', text, TODAY)).toBe(true);
    expect(matches({ re: '\\bpng\\b' }, text, TODAY)).toBe(true);
    expect(matches({ any: ['护照', '个人信息面'] }, text, TODAY)).toBe(true);
    expect(matches({ any: ['护照', '营业执照'] }, text, TODAY)).toBe(false);
  });
});

describe('blind player: expectations', () => {
  it('checks intent and slot on the last reply, notSlot and candidates on every reply', () => {
    const replies = [reply('first', { intent: 'clarify', candidates: ['a', 'b'] }), reply('question', { intent: 'x', slot: 'region' })];
    expect(check({ intent: 'x', slot: 'region', candidates: ['a'] }, replies, TODAY)).toEqual([]);
    expect(check({ intent: ['y', 'z'] }, replies, TODAY)).toEqual(['intent x, expected y or z']);
    expect(check({ slot: 'none' }, replies, TODAY)).toEqual(['slot asked: region, expected none']);
    expect(check({ notSlot: ['region'] }, replies, TODAY)).toEqual(['asked region, which it must not ask']);
    expect(check({ candidates: ['c'] }, replies, TODAY)[0]).toMatch(/candidates lack c/);
  });

  it('needs one alternative of anyOf to hold, and none of hasNot to match', () => {
    const replies = [reply('中国站 JPG、BMP；国际站 PNG、WebP', { intent: 'e' })];
    expect(check({ anyOf: [{ slot: 'site' }, { has: ['中国站', '国际站'] }] }, replies, TODAY)).toEqual([]);
    expect(check({ anyOf: [{ slot: 'site' }, { has: ['护照'] }] }, replies, TODAY)[0]).toMatch(/none of the alternatives/);
    expect(check({ hasNot: ['webp'] }, replies, TODAY)).toEqual(['text has "webp"']);
    expect(check({}, [], TODAY)).toEqual(['no reply']);
  });
});

describe('blind player: playing over HTTP', () => {
  // A scripted fake bot: asks region, then answers whatever it gets; records what the user sent.
  const received: string[] = [];
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const activity = JSON.parse(body) as { text: string; deliveryMode: string; conversation: { id: string } };
        received.push(activity.text);
        const first = received.length === 1;
        const channelData = first ? { intent: 'domain.overseas-user', score: 0.9, slot: 'region' } : { intent: 'domain.overseas-user', score: 0.9 };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ activities: [{ type: 'message', text: first ? '地区是？' : '请前往阿里云国际站', channelData }] }));
      });
    });
  });
  afterAll(() => server.close());

  const conversation = (answer: Record<string, string | null>): Conversation => ({
    id: 'fake',
    lang: 'zh',
    product: 'domain',
    covers: ['plain'],
    turns: [
      { say: '提交资料显示为海外用户', expect: { intent: 'domain.overseas-user', slot: 'region' } },
      { answer, expect: { has: ['国际站'], slot: 'none' } },
    ],
  });

  it('answers the slot the bot asked and passes when every turn holds', async () => {
    received.length = 0;
    const result = await playConversation(server.url, conversation({ region: '香港', holderType: '个人' }), TODAY);
    expect(received).toEqual(['提交资料显示为海外用户', '香港']);
    expect(result.passed).toBe(true);
  });

  it('fails at the turn whose question this user has no answer for', async () => {
    received.length = 0;
    const result = await playConversation(server.url, conversation({ holderType: '个人' }), TODAY);
    expect(result).toMatchObject({ passed: false, failedTurn: 2 });
    expect(result.reason).toMatch(/asked region/);
  });
});
