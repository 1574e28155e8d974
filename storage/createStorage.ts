/**
 * Conversation state and turn ordering, configured from the environment.
 *
 *   no REDIS_URL / REDIS_SENTINELS / REDIS_CLUSTER_NODES → MemoryStorage + in-process turn queue (one process only);
 *   REDIS_URL                                            → one Redis server (redis:// or rediss://);
 *   REDIS_SENTINELS=host:port,… + REDIS_SENTINEL_NAME     → the master of a Sentinel group;
 *   REDIS_CLUSTER_NODES=host:port,…                      → Redis Cluster.
 * With Sentinel or Cluster, REDIS_URL (optional) supplies credentials, database and TLS (rediss://);
 * REDIS_SENTINEL_PASSWORD authenticates to the sentinels themselves.
 * REDIS_KEY_PREFIX (default `rnbot:`), STATE_TTL_SECONDS (default 86400; 0 = no expiry), STATE_MAX_ITEM_BYTES
 * (default 262144), TURN_LEASE_MS, TURN_MAX_WAIT_MS, TURN_MAX_HOLD_MS tune storage and turn queue;
 * STATE_MEMORY_MAX_ITEMS and STATE_MEMORY_MAX_BYTES bound the in-memory state; DEDUP_TTL_SECONDS is how long an
 * activity id is remembered so that a retried activity is answered once.
 *
 * Start-up never waits for Redis: the client connects and reconnects in the background. While Redis is
 * unreachable, storage and queue operations reject within about a second (turns fail with a storage error)
 * and health() reports `reachable: false`; once Redis answers again everything resumes.
 *
 * Usage (index.ts): `const store = createStorage(process.env, logger)`, `new ConversationState(store.storage)`,
 * `adapter.use(store.turnMiddleware)` then `adapter.use(store.duplicateMiddleware)` on every adapter,
 * `store.health()` for /health, `store.close()` on shutdown.
 */
import type { Storage } from 'botbuilder';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { FAIL_FAST_OPTIONS, reconnectDelay, silentLogger, type RedisClient, type StorageLogger } from './redisClient';
import { DEFAULT_KEY_PREFIX, DEFAULT_MAX_ITEM_BYTES, DEFAULT_TTL_SECONDS, RedisStorage } from './redisStorage';
import { BoundedMemoryStorage, DEFAULT_MEMORY_MAX_BYTES, DEFAULT_MEMORY_MAX_ITEMS } from './boundedMemoryStorage';
import { DEFAULT_DEDUP_TTL_SECONDS, DuplicateActivityMiddleware, MemorySeenActivities, RedisSeenActivities } from './seenActivities';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_HOLD_MS,
  DEFAULT_MAX_WAIT_MS,
  MemoryTurnQueue,
  RedisTurnQueue,
  TurnQueueMiddleware,
} from './turnQueue';

export interface HostPort {
  host: string;
  port: number;
}

export interface StorageConfig {
  mode: 'memory' | 'redis';
  /** Only in redis mode. */
  topology?: 'standalone' | 'sentinel' | 'cluster';
  url?: string;
  sentinels?: HostPort[];
  sentinelName?: string;
  sentinelPassword?: string;
  clusterNodes?: HostPort[];
  keyPrefix: string;
  ttlSeconds: number;
  maxItemBytes: number;
  turnLeaseMs: number;
  turnMaxWaitMs: number;
  turnMaxHoldMs: number;
  /** Only in memory mode: bounds of the in-memory state (least recently used goes first). */
  memoryMaxItems: number;
  memoryMaxBytes: number;
  dedupTtlSeconds: number;
}

export interface StorageHealth {
  storage: 'memory' | 'redis';
  reachable: boolean;
}

export interface StateStore {
  readonly mode: 'memory' | 'redis';
  readonly config: StorageConfig;
  /** Botbuilder storage for ConversationState / UserState. */
  readonly storage: Storage;
  /** Serializes the turns of each conversation: `adapter.use()` it on every adapter. */
  readonly turnMiddleware: TurnQueueMiddleware;
  /** Answers a retried activity once: `adapter.use()` it right after turnMiddleware. */
  readonly duplicateMiddleware: DuplicateActivityMiddleware;
  /** The Redis client (redis mode only), shared by storage and turn queue. */
  readonly redis?: RedisClient;
  /** Memory: always reachable. Redis: a PING answered within a second. Never rejects. */
  health(): Promise<StorageHealth>;
  /** Stops the turn queue and closes the Redis connection. Call after in-flight turns have finished. */
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the storage settings; throws on malformed values (a configuration error should stop start-up). */
export function readStorageConfig(env: Env = process.env): StorageConfig {
  const url = nonEmpty(env.REDIS_URL);
  const sentinels = nonEmpty(env.REDIS_SENTINELS);
  const clusterNodes = nonEmpty(env.REDIS_CLUSTER_NODES);
  const common = {
    keyPrefix: env.REDIS_KEY_PREFIX ?? DEFAULT_KEY_PREFIX,
    ttlSeconds: integer(env, 'STATE_TTL_SECONDS', DEFAULT_TTL_SECONDS, 0),
    maxItemBytes: integer(env, 'STATE_MAX_ITEM_BYTES', DEFAULT_MAX_ITEM_BYTES, 1),
    turnLeaseMs: integer(env, 'TURN_LEASE_MS', DEFAULT_LEASE_MS, 1),
    turnMaxWaitMs: integer(env, 'TURN_MAX_WAIT_MS', DEFAULT_MAX_WAIT_MS, 1),
    turnMaxHoldMs: integer(env, 'TURN_MAX_HOLD_MS', DEFAULT_MAX_HOLD_MS, 1),
    memoryMaxItems: integer(env, 'STATE_MEMORY_MAX_ITEMS', DEFAULT_MEMORY_MAX_ITEMS, 1),
    memoryMaxBytes: integer(env, 'STATE_MEMORY_MAX_BYTES', DEFAULT_MEMORY_MAX_BYTES, 1),
    dedupTtlSeconds: integer(env, 'DEDUP_TTL_SECONDS', DEFAULT_DEDUP_TTL_SECONDS, 1),
  };
  if (sentinels && clusterNodes) throw new Error('Set either REDIS_SENTINELS or REDIS_CLUSTER_NODES, not both.');
  if (url && !/^rediss?:\/\//i.test(url)) throw new Error('REDIS_URL must start with redis:// or rediss://');
  if (sentinels) {
    const sentinelName = nonEmpty(env.REDIS_SENTINEL_NAME);
    if (!sentinelName) throw new Error('REDIS_SENTINELS needs REDIS_SENTINEL_NAME (the master group name).');
    return {
      mode: 'redis',
      topology: 'sentinel',
      url,
      sentinels: hostPorts(sentinels, 'REDIS_SENTINELS', 26379),
      sentinelName,
      sentinelPassword: nonEmpty(env.REDIS_SENTINEL_PASSWORD),
      ...common,
    };
  }
  if (clusterNodes) return { mode: 'redis', topology: 'cluster', url, clusterNodes: hostPorts(clusterNodes, 'REDIS_CLUSTER_NODES', 6379), ...common };
  if (url) return { mode: 'redis', topology: 'standalone', url, ...common };
  return { mode: 'memory', ...common };
}

/** Storage, turn middleware and health for the configuration in `env`. Synchronous and never waits for Redis. */
export function createStorage(env: Env = process.env, logger: StorageLogger = silentLogger): StateStore {
  const config = readStorageConfig(env);
  const queueOptions = { maxWaitMs: config.turnMaxWaitMs, maxHoldMs: config.turnMaxHoldMs, logger };

  if (config.mode === 'memory') {
    const queue = new MemoryTurnQueue(queueOptions);
    logger.info({ storage: 'memory' }, 'conversation state in memory (set REDIS_URL to share it across processes)');
    return {
      mode: 'memory',
      config,
      storage: new BoundedMemoryStorage({
        ttlSeconds: config.ttlSeconds,
        maxItemBytes: config.maxItemBytes,
        maxItems: config.memoryMaxItems,
        maxBytes: config.memoryMaxBytes,
      }),
      turnMiddleware: new TurnQueueMiddleware(queue),
      duplicateMiddleware: new DuplicateActivityMiddleware(new MemorySeenActivities(config.dedupTtlSeconds), logger),
      health: async () => ({ storage: 'memory', reachable: true }),
      close: () => queue.close(),
    };
  }

  const { client, closing } = openRedis(config, logger);
  const storage = new RedisStorage(client, { keyPrefix: config.keyPrefix, ttlSeconds: config.ttlSeconds, maxItemBytes: config.maxItemBytes });
  const queue = new RedisTurnQueue(client, { ...queueOptions, keyPrefix: config.keyPrefix, leaseMs: config.turnLeaseMs });
  logger.info({ storage: 'redis', topology: config.topology, keyPrefix: config.keyPrefix, ttlSeconds: config.ttlSeconds }, 'conversation state in Redis');
  let closed = false;
  return {
    mode: 'redis',
    config,
    storage,
    turnMiddleware: new TurnQueueMiddleware(queue),
    duplicateMiddleware: new DuplicateActivityMiddleware(new RedisSeenActivities(client, config.keyPrefix, config.dedupTtlSeconds), logger),
    redis: client,
    async health() {
      if (closed) return { storage: 'redis', reachable: false };
      try {
        await withTimeout(client.ping(), 1500);
        return { storage: 'redis', reachable: true };
      } catch {
        return { storage: 'redis', reachable: false };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      closing(); // an orderly shutdown is not an outage
      await queue.close();
      try {
        await withTimeout(client.quit(), 1000);
      } catch {
        // not connected, or Redis did not answer: drop the connection without waiting
      }
      client.disconnect();
    },
  };
}

/** The ioredis client for a Redis configuration: fail-fast commands, endless background reconnection, logged outages. */
export function createRedisClient(config: StorageConfig, logger: StorageLogger = silentLogger): RedisClient {
  return openRedis(config, logger).client;
}

function openRedis(config: StorageConfig, logger: StorageLogger): { client: RedisClient; closing(): void } {
  const auth = config.url && config.topology !== 'standalone' ? credentialsOf(config.url) : {};
  let client: RedisClient;
  if (config.topology === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: { ...FAIL_FAST_OPTIONS, ...auth, db: undefined, connectionName: 'rnbot' },
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: 1000,
    };
    delete (options.redisOptions as Record<string, unknown>).enableOfflineQueue;
    client = new Cluster(config.clusterNodes ?? [], options);
  } else {
    // Auto-pipelining: the commands that concurrent turns issue in one tick leave in one socket write (one system
    // call instead of one each, which showed as 9% of a turn's CPU under load); order per connection is unchanged.
    const options: RedisOptions = { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay, connectionName: 'rnbot', enableAutoPipelining: true };
    if (config.topology === 'sentinel') {
      client = new Redis({
        ...options,
        ...auth,
        sentinels: config.sentinels,
        name: config.sentinelName,
        sentinelPassword: config.sentinelPassword,
        sentinelCommandTimeout: 1000,
        enableTLSForSentinelMode: Boolean(auth.tls),
      });
    } else {
      client = new Redis(config.url ?? 'redis://127.0.0.1:6379', options);
    }
  }
  return { client, ...watchConnection(client, logger) };
}

/** Logs an outage once when it starts and once when Redis is back; ioredis keeps reconnecting meanwhile. */
function watchConnection(client: RedisClient, logger: StorageLogger): { closing(): void } {
  let down = false;
  let everReady = false;
  let closing = false;
  const wentDown = (reason: string) => {
    if (down || closing) return;
    down = true;
    logger.warn(
      { err: reason },
      everReady ? 'Redis connection lost; turns fail until it is back (reconnecting)' : 'Redis not reachable yet; turns fail until it answers (connecting in the background)',
    );
  };
  const onError = (err: Error) => wentDown(err.message);
  client.on('error', onError);
  if (client instanceof Cluster) client.on('node error', onError);
  client.on('close', () => {
    if (everReady) wentDown('connection closed');
  });
  client.on('ready', () => {
    if (down || !everReady) logger.info({}, down ? 'Redis reachable again' : 'Redis connected');
    down = false;
    everReady = true;
  });
  return { closing: () => void (closing = true) };
}

function credentialsOf(url: string): Pick<RedisOptions, 'username' | 'password' | 'db' | 'tls'> {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : undefined,
    tls: parsed.protocol === 'rediss:' ? { servername: parsed.hostname || undefined } : undefined,
  };
}

function hostPorts(list: string, name: string, defaultPort: number): HostPort[] {
  return list.split(',').map((raw) => {
    const entry = raw.trim();
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:\s]+)(?::(\d+))?$/.exec(entry);
    const port = match?.[2] ? Number(match[2]) : defaultPort;
    if (!match || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name}: "${entry}" is not host:port`);
    return { host: match[1], port };
  });
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
