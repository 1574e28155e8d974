/**
 * A fast path before Microsoft's date-time recognizer for a window that holds one date written in full (2026-11-15,
 * 2026/11/15, 2026.11.15, 2026年11月15日, 15 November 2026, November 15, 2026) and nothing else that could belong to a
 * date. The recognizer costs ~1 ms per window, the largest single share of a turn's CPU, and most dates users type
 * are of these forms. The answer is exactly the recognizer's (test/understanding/fullDates.test.ts compares the two on
 * generated dates, forms and surrounding words); anything else (relative, partial, ranges, times, modifiers such as
 * 之前 or "before") returns undefined and goes to the recognizer. Hand-written: no library answers in the
 * recognizer's own result shape.
 */

/** The recognizer's result for one date, as `DateTimeModel.parse` gives it (end is the index of the last character). */
export type FullDateResult =
  | { start: number; end: number; resolution: { values: { timex: string; type: 'date'; value: string }[] }; text: string; typeName: 'datetimeV2.date' }
  | { start: number; end: number; resolution: { values: { timex: string; type: 'daterange'; start: string; end: string }[] }; text: string; typeName: 'datetimeV2.daterange' };

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7,
  august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};
const MONTH = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|');
const ORDINAL_SUFFIX = '(?:st|nd|rd|th)?';

interface Form {
  pattern: RegExp;
  /** Indexes of year, month, day in the match. */
  ymd: [number, number, number];
  cultures: string[];
  /** Cultures that read only the year of this form (the English recognizer in 2026年11月15日 reads 2026). */
  yearOnlyIn?: string[];
}

const BOTH = ['zh-cn', 'en-us'];
// Years only from 1900 to 2099: the recognizer's reading of other years was not compared.
const YEAR = '((?:19|20)\\d{2})';
const FORMS: Form[] = [
  { pattern: new RegExp(`(?<![\\da-z.\\-/])${YEAR}([-/.])(\\d{1,2})\\2(\\d{1,2})(?![\\da-z.\\-/])`, 'gi'), ymd: [1, 3, 4], cultures: BOTH },
  { pattern: new RegExp(`(?<![\\da-z])${YEAR}年(\\d{1,2})月([1-9]\\d?)日(?![a-z])`, 'gi'), ymd: [1, 2, 3], cultures: BOTH, yearOnlyIn: ['en-us'] },
  { pattern: new RegExp(`\\b(\\d{1,2})${ORDINAL_SUFFIX} (${MONTH}) ${YEAR}\\b`, 'gi'), ymd: [3, 2, 1], cultures: ['en-us'] },
  { pattern: new RegExp(`\\b(${MONTH}) (\\d{1,2})${ORDINAL_SUFFIX},? ${YEAR}\\b`, 'gi'), ymd: [3, 1, 2], cultures: ['en-us'] },
];

/**
 * What, besides the date, makes the recognizer read a window differently: any digit (a time, a second date, a range),
 * English date words (before, since, morning, a month or weekday …) and range marks anywhere in the window.
 * Deliberately broad: a window with any of them goes to the recognizer.
 */
const OTHER_DATE_CUE =
  /[\d０-９~～至到]|\b(?:before|after|since|until|till|til|by|from|to|through|thru|between|around|about|approx\w*|early|earlier|late|later|mid|middle|end|start|beginning|morning|afternoon|evening|night|tonight|noon|midnight|am|pm|a\.m|p\.m|o'?clock|day|days|week|weeks|weekend|month|months|year|years|today|yesterday|tomorrow|ago|last|next|this|that|prior|past|previous|coming|recent|recently|now|within|during|or|and|than|the|of|on|at|in|\w*day|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|first|second|third|fourth|fifth|quarter|half|christmas|easter|new)\b/i;
/**
 * Characters of Chinese date and time words (之前, 下午, 上个月, 周五 …) next to the date: the recognizer joins them
 * to it. Looked for only this close and within the clause, as 上传后提示 later in a clause is common and changes nothing.
 */
const NEAR_CHINESE_DATE_CUE = /[从自起止截前后之以来左右约初底末旬半季度今昨明去本这那当次每整早晚午上下中时点分秒刻年月日号周星期礼拜天夜凌晨傍节假〇零一二两三四五六七八九十百]/;
const NEAR = 6;
/**
 * Chinese date and time words the recognizer reads on their own anywhere in the window (下午, 今天, 周五, 上个月 …),
 * adding a result of their own: a window with one goes to the recognizer. Characters, not words, where a word is short.
 */
const CHINESE_DATE_WORD =
  /[午晚夜今昨明去本年月日号天时点分秒季节春夏秋冬旬〇零一二两三四五六七八九十百千]|早上|早晨|凌晨|前天|后天|上个|下个|[上下这本][周月旬]|星期|礼拜|周[一二三四五六日天末]|现在|目前|最近|刚才|刚刚|当前|此刻/;
/** The recognizer does not join words across a comma or full stop to a date (the comparison test has 2026年11月15日，下午). */
const CLAUSE_BREAK = /[，,。；;！!？?]/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The recognizer's result for a window holding one full date and nothing else date-like; undefined for any other window. */
export function fullDate(window: string, culture: string): FullDateResult[] | undefined {
  let found: { match: RegExpExecArray; form: Form } | undefined;
  for (const form of FORMS) {
    if (!form.cultures.includes(culture)) continue;
    form.pattern.lastIndex = 0;
    for (let match = form.pattern.exec(window); match; match = form.pattern.exec(window)) {
      if (found) return undefined;
      found = { match, form };
    }
  }
  if (!found) return undefined;
  const { match, form } = found;
  const rest = window.slice(0, match.index) + ' ' + window.slice(match.index + match[0].length);
  if (OTHER_DATE_CUE.test(rest) || CHINESE_DATE_WORD.test(rest)) return undefined;
  const before = window.slice(Math.max(0, match.index - NEAR), match.index).split(CLAUSE_BREAK).pop()!;
  const after = window.slice(match.index + match[0].length, match.index + match[0].length + NEAR).split(CLAUSE_BREAK)[0];
  if (NEAR_CHINESE_DATE_CUE.test(before) || NEAR_CHINESE_DATE_CUE.test(after)) return undefined;
  const year = Number(match[form.ymd[0]]);
  const month = MONTHS[match[form.ymd[1]].toLowerCase()] ?? Number(match[form.ymd[1]]);
  const day = Number(match[form.ymd[2]]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (form.yearOnlyIn?.includes(culture)) {
    const text = match[form.ymd[0]];
    return [
      {
        start: match.index,
        end: match.index + text.length - 1,
        resolution: { values: [{ timex: text, type: 'daterange', start: `${year}-01-01`, end: `${year + 1}-01-01` }] },
        text,
        typeName: 'datetimeV2.daterange',
      },
    ];
  }
  const timex = `${year}-${pad(month)}-${pad(day)}`;
  return [
    {
      start: match.index,
      end: match.index + match[0].length - 1,
      resolution: { values: [{ timex, type: 'date', value: day <= daysIn(year, month) ? timex : 'not resolved' }] },
      text: match[0],
      typeName: 'datetimeV2.date',
    },
  ];
}
