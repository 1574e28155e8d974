/**
 * Bot Framework `Storage` in process memory, with the same contract as `RedisStorage`: eTags (a stale one is
 * refused with `ETagConflictError`), expiry counted from the last write (STATE_TTL_SECONDS) and the item size
 * guard (STATE_MAX_ITEM_BYTES). Unlike botbuilder's MemoryStorage it is bounded: at most `maxItems` items and
 * `maxBytes` of JSON, the least recently used going first, so abandoned conversations cannot exhaust memory.
 */
import { randomUUID } from 'crypto';
import { LRUCache } from 'lru-cache';
import type { Storage, StoreItems } from 'botbuilder';
import { DEFAULT_MAX_ITEM_BYTES, DEFAULT_TTL_SECONDS, ETagConflictError, ItemTooLargeError } from './redisStorage';

export const DEFAULT_MEMORY_MAX_ITEMS = 20_000;
export const DEFAULT_MEMORY_MAX_BYTES = 256 * 1024 * 1024;

export interface BoundedMemoryStorageOptions {
  /** Seconds an item lives after its last write (default 24 h); 0 keeps items until they are evicted. */
  ttlSeconds?: number;
  /** Largest item accepted, as UTF-8 JSON bytes (default 256 KiB). */
  maxItemBytes?: number;
  /** Most items kept (default 20,000). */
  maxItems?: number;
  /** Most JSON bytes kept over all items (default 256 MiB). */
  maxBytes?: number;
}

interface Stored {
  eTag: string;
  json: string;
  bytes: number;
}

export class BoundedMemoryStorage implements Storage {
  readonly ttlSeconds: number;
  readonly maxItemBytes: number;
  private readonly items: LRUCache<string, Stored>;

  constructor(options: BoundedMemoryStorageOptions = {}) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    const maxItems = options.maxItems ?? DEFAULT_MEMORY_MAX_ITEMS;
    const maxBytes = options.maxBytes ?? DEFAULT_MEMORY_MAX_BYTES;
    if (!Number.isFinite(this.ttlSeconds) || this.ttlSeconds < 0) throw new RangeError('BoundedMemoryStorage: ttlSeconds must be 0 or more');
    for (const [name, value] of Object.entries({ maxItemBytes: this.maxItemBytes, maxItems, maxBytes })) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`BoundedMemoryStorage: ${name} must be a positive integer`);
    }
    this.items = new LRUCache<string, Stored>({
      max: maxItems,
      maxSize: maxBytes,
      sizeCalculation: (item) => Math.max(1, item.bytes),
      ttl: Math.round(this.ttlSeconds * 1000),
      ttlAutopurge: false,
    });
  }

  /** Items currently kept (expired ones are not counted once touched or purged). */
  get size(): number {
    this.items.purgeStale();
    return this.items.size;
  }

  /** JSON bytes currently kept. */
  get bytes(): number {
    return this.items.calculatedSize;
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const found: StoreItems = {};
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) found[key] = { ...(JSON.parse(item.json) as object), eTag: item.eTag };
    }
    return found;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    // Checked first, written after: a refused item leaves every item of the write unchanged.
    const writes = Object.entries(changes).map(([key, item]) => this.prepare(key, item));
    for (const [key, stored] of writes) this.items.set(key, stored);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    for (const key of keys) this.items.delete(key);
  }

  private prepare(key: string, item: unknown): [string, Stored] {
    if (item === null || typeof item !== 'object') throw new TypeError(`Storage: item "${key}" must be an object.`);
    const { eTag, ...doc } = item as { eTag?: unknown };
    const json = JSON.stringify(doc);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.maxItemBytes) throw new ItemTooLargeError(key, bytes, this.maxItemBytes);
    if (eTag != null && eTag !== '*' && this.items.peek(key)?.eTag !== String(eTag)) throw new ETagConflictError(key);
    return [key, { eTag: randomUUID(), json, bytes }];
  }
}
