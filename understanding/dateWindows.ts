/**
 * Microsoft's date-time recognizer is super-linear in its input: a 2,000-character run of "1-1-1-…" took 37 s. It is
 * therefore never given a whole message, only short windows around what looks like a date, so that reading a message
 * for dates costs the same whatever its length. Hand-written: no library bounds another library's input this way.
 */

/** A date said in full or relative to today: these windows are read first. */
const STRONG_CUE =
  /\d{4}\s*[年./-]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}|[0-9一二两三四五六七八九十几]+\s*(?:天|日|周|个?星期|个?礼拜|个?月|年)前|大?前天|昨天|今天|上个?(?:周|星期|礼拜|月)|去年|\b(?:yesterday|today|ago|last|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\b/gi;
/** Anything else that may belong to a date: a number, 号, 月, 日. */
const WEAK_CUE = /\d+|[号月日]/g;

/** Characters read on each side of a cue: enough for "issued on the 15th of last month". */
const CONTEXT = 14;
/** Longest window given to the recognizer. */
export const MAX_WINDOW = 40;
/** Most windows read in one message. */
export const MAX_WINDOWS = 3;

export interface DateWindow {
  text: string;
  strong: boolean;
}

/** The few short windows of a phrase worth reading for dates, strongest cues first, in the phrase's order within each kind. */
export function dateWindows(phrase: string): DateWindow[] {
  const spans: { start: number; end: number; strong: boolean }[] = [];
  for (const [pattern, strong] of [[STRONG_CUE, true], [WEAK_CUE, false]] as const) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(phrase); match; match = pattern.exec(phrase)) {
      const start = Math.max(0, match.index - CONTEXT);
      const end = Math.min(phrase.length, match.index + match[0].length + CONTEXT);
      spans.push({ start, end: Math.min(end, start + MAX_WINDOW), strong });
      if (spans.length > MAX_WINDOWS * 8) break;
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const merged: typeof spans = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end && span.end - last.start <= MAX_WINDOW) {
      last.end = Math.max(last.end, span.end);
      last.strong ||= span.strong;
    } else if (!last || span.start >= last.end) {
      merged.push({ ...span });
    } else {
      // Overlaps a window already full: start where it ends.
      merged.push({ start: last.end, end: Math.min(span.end, last.end + MAX_WINDOW), strong: span.strong });
    }
  }
  return merged
    .filter((w) => w.end > w.start)
    .sort((a, b) => Number(b.strong) - Number(a.strong) || a.start - b.start)
    .slice(0, MAX_WINDOWS)
    .map((w) => ({ text: phrase.slice(w.start, w.end), strong: w.strong }));
}
