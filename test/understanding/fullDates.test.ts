import * as fs from 'fs';
import * as path from 'path';
import { DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { fullDate } from '../../understanding/fullDates';
import { dateWindows } from '../../understanding/dateWindows';
import { datePhrase } from '../../understanding/details';

// The fast path must answer exactly as the recognizer it stands in front of: every window it answers is compared.
const CULTURES = ['zh-cn', 'en-us'] as const;
const models = Object.fromEntries(CULTURES.map((c) => [c, new DateTimeRecognizer(c).getDateTimeModel(c, true)]));
const REFERENCE = new Date(2026, 11, 3, 12);

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_SHORT = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ORDINAL = (d: number) => (d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th');

/** A deterministic pseudo-random sequence, so a failure names the same cases on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function formsOf(y: number, m: number, d: number, pick: () => number): string[] {
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  const name = pick() < 0.5 ? MONTH_NAMES[m - 1] : MONTH_SHORT[m - 1];
  const ord = pick() < 0.3 ? ORDINAL(d) : '';
  return [
    `${y}-${mm}-${dd}`, `${y}-${m}-${d}`, `${y}/${mm}/${dd}`, `${y}/${m}/${d}`, `${y}.${mm}.${dd}`, `${y}.${m}.${d}`,
    `${y}年${m}月${d}日`, `${y}年${mm}月${dd}日`,
    `${d}${ord} ${name} ${y}`, `${name} ${d}${ord}, ${y}`, `${name} ${d} ${y}`,
  ];
}

const CONTEXTS: [string, string][] = [
  ['', ''], ['证件是', '换的'], ['新身份证', '才拿到'], ['营业执照', '发的'], ['签发日期', ''], ['我', '办的新证'],
  ['', '之前'], ['', '以后'], ['', '下午'], ['', '上午'], ['从', '起'], ['', '到2046-11-15'], ['', '至今'], ['', '左右'],
  ['大概', ''], ['', '前'], ['', '中午'], ['', '晚上'], ['', ' 10:30'], ['', '号'], ['2025-01-01到', ''], ['上个月', ''],
  ['my id card was issued on ', ''], ['issued ', ' by the police'], ['', ' i think'], ['got it ', ' and uploaded today'],
  ['before ', ''], ['since ', ''], ['', ' at 3pm'], ['', ' morning'], ['from ', ' to now'], ['on ', ''], ['around ', ''],
  ['', ' - 2046-11-15'], ['', '~2046.11.15'], ['by ', ''], ['until ', ''], ['', ' or so'], ['no later than ', ''],
  ['the new license came ', ''], ['', ' 前后'], ['', '那天'], ['', '晚'], ['二〇二六年', ''],
  ['', '新办的，上传后提示不在实名库中'], ['', '，下午'], ['', '。下午'], ['', ',下午'], ['', '，之前'], ['以前，', ''], ['', '；晚上'], ['', '的下午'], ['', '新办的之前'], ['请问', '补办的证件是否可以上传'],
  ['您好，我的身份证是', '新办的'], ['', '日'], ['', '期间'], ['', '当天下午'], ['截至', ''], ['自', '以来'],
];

function compared(text: string, culture: (typeof CULTURES)[number]): 'fast' | 'recognizer' {
  const fast = fullDate(text, culture);
  if (!fast) return 'recognizer';
  expect({ text, culture, result: fast }).toEqual({ text, culture, result: models[culture].parse(text, REFERENCE) });
  return 'fast';
}

describe('full dates read without the recognizer', () => {
  it('answers exactly as the recognizer on generated dates, forms and surrounding words, in both cultures', () => {
    const pick = random(14);
    const counts = { fast: 0, recognizer: 0 };
    const years = [1900, 1999, 2000, 2024, 2025, 2026, 2046, 2099];
    for (let i = 0; i < 240; i++) {
      const y = years[Math.floor(pick() * years.length)];
      const m = 1 + Math.floor(pick() * 12);
      // Days past the month's end too (2026-02-30, 2025-04-31) and leap days.
      const d = i % 7 === 0 ? 29 + Math.floor(pick() * 3) : 1 + Math.floor(pick() * 31);
      const forms = formsOf(y, m, d, pick);
      const [before, after] = CONTEXTS[i % CONTEXTS.length];
      for (const form of forms) {
        for (const culture of CULTURES) counts[compared(datePhrase(`${before}${form}${after}`), culture)]++;
      }
      // Plain: the forms users type most, alone.
      for (const culture of CULTURES) counts[compared(datePhrase(forms[i % forms.length]), culture)]++;
    }
    // The fast path takes a good share of these and leaves the rest: it neither does nothing nor everything.
    expect(counts.fast).toBeGreaterThan(300);
    expect(counts.recognizer).toBeGreaterThan(300);
  });

  it('answers on every context-free form it is meant for, invalid days included', () => {
    for (const text of ['2026-11-15', '2026/1/5', '2026.11.15', '2026年11月15日', '2026-02-30', '2024-02-29', '2025-04-31']) {
      for (const culture of CULTURES) {
        expect(compared(text, culture)).toBe('fast');
      }
    }
    for (const text of ['15 november 2026', 'november 15, 2026', 'nov 15th 2026', '1st sept 2026']) expect(compared(text, 'en-us')).toBe('fast');
  });

  it('leaves to the recognizer what is not one full date alone', () => {
    for (const text of ['2026-13-01', '2026-11-00', '2026年11月15日之前', '2026.11.15-2046.11.15', '上个月15日', '11月15日', 'on 2026-11-15 at 3pm', '1899-11-15']) {
      for (const culture of CULTURES) expect(fullDate(text, culture)).toBeUndefined();
    }
    // English month forms in the Chinese culture: the recognizer reads only the year there.
    expect(fullDate('15 november 2026', 'zh-cn')).toBeUndefined();
    // A locale the recognizer may read otherwise than its own culture names.
    expect(fullDate('2026-11-15', 'zh-CN')).toBeUndefined();
  });

  it('answers on the windows of a longer message', () => {
    const message = datePhrase('您好，我的身份证是2026年11月15日新办的，上传后提示不在实名库中，请问怎么办');
    const windows = dateWindows(message);
    expect(windows.map((w) => fullDate(w.text, 'zh-cn')?.[0]?.resolution.values[0])).toContainEqual(expect.objectContaining({ value: '2026-11-15' }));
    for (const w of windows) compared(w.text, 'zh-cn');
  });

  it('answers as the recognizer on every date window of the labelled and blind messages, with a full date put in', () => {
    const dir = path.join(__dirname, '..', 'data');
    const texts = fs.readdirSync(dir).filter((f) => f.endsWith('.tsv'))
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(1).map((line) => line.split('\t')[2]).filter(Boolean));
    const counts = { fast: 0, recognizer: 0 };
    texts.forEach((text, i) => {
      const cut = Math.floor(text.length / 2);
      const date = ['2026-11-15', '2026年11月15日', '15 november 2026', '2026/2/30'][i % 4];
      const message = datePhrase(`${text.slice(0, cut)}${date}${text.slice(cut)}`);
      for (const w of dateWindows(message)) for (const culture of CULTURES) counts[compared(w.text, culture)]++;
    });
    expect(counts.fast).toBeGreaterThan(0);
  });
});
