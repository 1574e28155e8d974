/** Support runs on China time: "today" for issue dates and resubmission dates is the date in Asia/Shanghai. */
const chinaDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

// Formatting with Intl costs ~20 µs and every turn asks more than once. The day is kept for a minute when the day at
// the minute's end is the same (the date only moves forward, so nothing in between differs).
const KEEP_MS = 60_000;
let kept: { from: number; day: string } | undefined;

/** Today's date in Asia/Shanghai as yyyy-mm-dd. */
export function today(now: Date = new Date()): string {
  const at = now.getTime();
  if (kept && at >= kept.from && at < kept.from + KEEP_MS) return kept.day;
  const day = chinaDate.format(now);
  kept = day === chinaDate.format(at + KEEP_MS) ? { from: at, day } : undefined;
  return day;
}
