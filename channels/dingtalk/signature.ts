import { createHmac, timingSafeEqual } from 'crypto';


/** sign = Base64(HmacSHA256(key = app secret, message = timestamp + "\n" + app secret)), as DingTalk computes it. */
export function signDingTalk(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

/**
 * Whether a callback's headers are DingTalk's: a timestamp within `maxSkewMs` of now and a matching signature.
 * The signature covers only the timestamp, so the skew bounds how long a captured header pair stays usable.
 */
export function verifyDingTalk(timestamp: unknown, sign: unknown, appSecret: string, maxSkewMs: number, now = Date.now()): boolean {
  if (typeof timestamp !== 'string' || typeof sign !== 'string' || !appSecret || !/^\d{10,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > maxSkewMs) return false;
  const expected = Buffer.from(signDingTalk(timestamp, appSecret));
  const given = Buffer.from(sign);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
