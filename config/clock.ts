/** Support runs on China time: "today" for issue dates and resubmission dates is the date in Asia/Shanghai. */
const chinaDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today's date in Asia/Shanghai as yyyy-mm-dd. */
export function today(now: Date = new Date()): string {
  return chinaDate.format(now);
}
