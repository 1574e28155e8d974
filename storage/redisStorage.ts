/**
 * Bot Framework `Storage` on Redis, with eTag optimistic concurrency, per-item expiry and a size guard.
 *
 * Written for this project: no maintained Redis storage for botbuilder exists that honours eTags
 * (the npm `botbuilder-storage-redis` package ignores them), and Bot Framework itself ships only
 * Memory, Blob and Cosmos DB storages.
 *
 * Layout: one Redis hash per item, `<prefix>state:<storage key>` with fields
 *   e = the item's current eTag (a random UUID, new on every write),
 *   d = the item as JSON, without its eTag.
 * Each item is a single key, so the storage works unchanged on Redis Cluster.
 *
 * Write semantics (per item; a multi-item write is not atomic across items, as in MemoryStorage):
 *   - eTag missing or '*': written unconditionally (what BotState.saveChanges does);
 *   - any other eTag: written only if it equals the stored eTag, checked and written by one Lua script;
 *     otherwise (different eTag, or the item was deleted or expired meanwhile) the write is refused with
 *     `ETagConflictError`.
 * The expiry is counted from the item's last write.
 */
import { randomUUID } from 'crypto';
import type { Storage, StoreItems } from 'botbuilder';
import { defineScripts, runScript, StorageUnavailableError, type RedisClient } from './redisClient';

export const DEFAULT_KEY_PREFIX = 'rnbot:';
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_MAX_ITEM_BYTES = 256 * 1024;

export interface RedisStorageOptions {
  /** Prepended to every key (default `rnbot:`); lets several bots or test runs share one Redis. */
  keyPrefix?: string;
  /** Seconds an item lives after its last write (default 24 h); 0 keeps items forever. */
  ttlSeconds?: number;
  /** Largest item accepted, as UTF-8 JSON bytes (default 256 KiB). */
  maxItemBytes?: number;
}

/** A write carried an eTag that no longer matches the stored item. */
export class ETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'ETagConflictError';
  }
}

/** An item is larger than the configured limit; nothing was written. */
export class ItemTooLargeError extends Error {
  constructor(readonly key: string, readonly bytes: number, readonly maxBytes: number) {
    super(`Storage: item "${key}" is ${bytes} bytes, over the limit of ${maxBytes} bytes (STATE_MAX_ITEM_BYTES).`);
    this.name = 'ItemTooLargeError';
  }
}

// KEYS[1] item; ARGV[1] expected eTag ('' = unconditional), ARGV[2] new eTag, ARGV[3] JSON, ARGV[4] TTL in ms (0 = none)
const WRITE_LUA = `
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'e') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'e', ARGV[2], 'd', ARGV[3])
if tonumber(ARGV[4]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
else
  redis.call('PERSIST', KEYS[1])
end
return 1
`;

const WRITE_SCRIPT = 'rnbotStateWrite';

export class RedisStorage implements Storage {
  readonly keyPrefix: string;
  readonly ttlSeconds: number;
  readonly maxItemBytes: number;

  constructor(private readonly client: RedisClient, options: RedisStorageOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    if (!Number.isFinite(this.ttlSeconds) || this.ttlSeconds < 0) throw new RangeError('RedisStorage: ttlSeconds must be 0 or more');
    if (!Number.isInteger(this.maxItemBytes) || this.maxItemBytes <= 0) throw new RangeError('RedisStorage: maxItemBytes must be a positive integer');
    defineScripts(client, { [WRITE_SCRIPT]: { lua: WRITE_LUA, numberOfKeys: 1 } });
  }

  /** The Redis key of a storage key. */
  redisKey(key: string): string {
    return `${this.keyPrefix}state:${key}`;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const rows = await settleAll(
      keys.map((key) => this.client.hmget(this.redisKey(key), 'e', 'd').catch((err: unknown) => Promise.reject(new StorageUnavailableError('read', err)))),
    );
    const items: StoreItems = {};
    keys.forEach((key, i) => {
      const [eTag, json] = rows[i];
      if (json == null) return;
      let doc: unknown;
      try {
        doc = JSON.parse(json);
      } catch {
        throw new Error(`Storage: stored item "${key}" is not valid JSON.`);
      }
      items[key] = { ...(doc as object), eTag: eTag ?? undefined };
    });
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const writes = Object.entries(changes).map(([key, item]) => this.writeOne(key, item));
    await settleAll(writes);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    await settleAll(keys.map((key) => this.client.del(this.redisKey(key)).catch((err: unknown) => Promise.reject(new StorageUnavailableError('delete', err)))));
  }

  private async writeOne(key: string, item: unknown): Promise<void> {
    if (item === null || typeof item !== 'object') throw new TypeError(`Storage: item "${key}" must be an object.`);
    const { eTag, ...doc } = item as { eTag?: unknown };
    const json = JSON.stringify(doc);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.maxItemBytes) throw new ItemTooLargeError(key, bytes, this.maxItemBytes);
    const expected = eTag != null && eTag !== '*' ? String(eTag) : ''; // '' (like a missing eTag) writes unconditionally
    let written: unknown;
    try {
      written = await runScript(this.client, WRITE_SCRIPT, [this.redisKey(key)], [expected, randomUUID(), json, Math.round(this.ttlSeconds * 1000)]);
    } catch (err) {
      throw new StorageUnavailableError('write', err);
    }
    if (written !== 1) throw new ETagConflictError(key);
  }
}

/** Like Promise.all, but waits for every operation to finish before rejecting with the first failure. */
async function settleAll<T>(operations: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(operations);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
