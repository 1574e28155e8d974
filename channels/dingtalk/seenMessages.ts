import { createHash } from 'crypto';
import type { RedisClient } from '../../storage/redisClient';

/**
 * DingTalk msgIds already taken: a callback replayed (DingTalk signs only the timestamp, so a captured one can be
 * re-sent with its body) is answered once. Kept a day: a replayed body may come with a later captured header pair.
 */
export interface SeenMessages {
  /** True the first time a msgId is offered (and records it), false afterwards. */
  firstTime(msgId: string): Promise<boolean>;
}

export const SEEN_FOR_MS = 24 * 60 * 60 * 1000;
const MEMORY_LIMIT = 100_000;

const digest = (msgId: string) => createHash('sha256').update(msgId).digest('base64url');

/** Across instances: SET NX with expiry. */
export function redisSeenMessages(redis: RedisClient, keyPrefix: string, ttlMs = SEEN_FOR_MS): SeenMessages {
  return {
    async firstTime(msgId) {
      return (await redis.set(`${keyPrefix}dingtalk:msg:${digest(msgId)}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
    },
  };
}

/** One process: a map in insertion (= expiry) order, oldest dropped past the limit. */
export function memorySeenMessages(ttlMs = SEEN_FOR_MS, limit = MEMORY_LIMIT, now = () => Date.now()): SeenMessages {
  const seen = new Map<string, number>();
  return {
    async firstTime(msgId) {
      const at = now();
      for (const [key, expires] of seen) {
        if (expires > at && seen.size < limit) break;
        seen.delete(key);
      }
      const key = digest(msgId);
      if ((seen.get(key) ?? 0) > at) return false;
      seen.set(key, at + ttlMs);
      return true;
    },
  };
}
