import type { StateStore } from '../../storage/createStorage';
import { DEFAULT_LIMITS, MemoryConversationStore, type ConversationStore } from './conversationStore';
import { RedisConversationStore } from './redisConversationStore';

/**
 * Direct Line conversations beside the bot's state: in its Redis (same key prefix, same expiry STATE_TTL_SECONDS) when
 * REDIS_URL is set, so a restart, another instance or a customer back later continue them; else in this process's memory.
 */
export function createConversationStore(stateStore: StateStore): ConversationStore {
  const { keyPrefix, ttlSeconds } = stateStore.config;
  if (stateStore.redis) return new RedisConversationStore(stateStore.redis, { keyPrefix, ttlSeconds, maxActivities: DEFAULT_LIMITS.maxActivities });
  return new MemoryConversationStore({ ...DEFAULT_LIMITS, idleMs: ttlSeconds * 1000 });
}
