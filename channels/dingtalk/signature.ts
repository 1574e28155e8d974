import { createHmac, timingSafeEqual } from 'crypto';

/** DingTalk accepts a callback for one hour after its timestamp. */
export const MAX_AGE_MS = 60 * 60 * 1000;

/** sign = Base64(HmacSHA256(key = app secret, message = timestamp + "\n" + app secret)), as DingTalk computes it. */
export function signDingTalk(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

/** Whether a callback's headers are DingTalk's: a timestamp within an hour of now and a matching signature. */
export function verifyDingTalk(timestamp: string | undefined, sign: string | undefined, appSecret: string, now = Date.now()): boolean {
  if (!timestamp || !sign || !appSecret || !/^\d{10,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > MAX_AGE_MS) return false;
  const expected = Buffer.from(signDingTalk(timestamp, appSecret));
  const given = Buffer.from(sign);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
