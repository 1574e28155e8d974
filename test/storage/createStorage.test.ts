import { spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TestAdapter } from 'botbuilder';
import { BoundedMemoryStorage } from '../../storage/boundedMemoryStorage';
import { createStorage, readStorageConfig, type StateStore } from '../../storage/createStorage';
import { RedisStorage } from '../../storage/redisStorage';
import { MemoryTurnQueue, RedisTurnQueue } from '../../storage/turnQueue';
import type { StorageLogger } from '../../storage/redisClient';
import {
  describeRedis,
  freePort,
  REDIS_SERVER_BINARY,
  redisTestContext,
  sleep,
  startRedisServer,
  stopRedisServer,
  TEST_REDIS_URL,
} from './redisTestSupport';

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  const logger: StorageLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
  return { logger, lines };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return check();
}

describe('readStorageConfig', () => {
  it('defaults to memory with the documented defaults', () => {
    expect(readStorageConfig({})).toEqual({
      mode: 'memory',
      keyPrefix: 'rnbot:',
      ttlSeconds: 86400,
      maxItemBytes: 262144,
      turnLeaseMs: 3000,
      turnMaxWaitMs: 15000,
      turnMaxHoldMs: 120000,
      memoryMaxItems: 20000,
      memoryMaxBytes: 268435456,
      dedupTtlSeconds: 3600,
    });
    expect(readStorageConfig({ STATE_MEMORY_MAX_ITEMS: '50', STATE_MEMORY_MAX_BYTES: '4096', DEDUP_TTL_SECONDS: '60' })).toMatchObject({
      memoryMaxItems: 50,
      memoryMaxBytes: 4096,
      dedupTtlSeconds: 60,
    });
    expect(() => readStorageConfig({ STATE_MEMORY_MAX_ITEMS: '0' })).toThrow(/STATE_MEMORY_MAX_ITEMS/);
    expect(readStorageConfig({ REDIS_URL: '  ' }).mode).toBe('memory');
  });

  it('reads a single Redis server, prefix, expiry and size limit', () => {
    expect(
      readStorageConfig({ REDIS_URL: 'redis://:pw@cache:6380/2', REDIS_KEY_PREFIX: 'bot1:', STATE_TTL_SECONDS: '3600', STATE_MAX_ITEM_BYTES: '1000' }),
    ).toMatchObject({ mode: 'redis', topology: 'standalone', url: 'redis://:pw@cache:6380/2', keyPrefix: 'bot1:', ttlSeconds: 3600, maxItemBytes: 1000 });
  });

  it('reads Sentinel and Cluster topologies', () => {
    expect(readStorageConfig({ REDIS_SENTINELS: 's1:26379, s2:26380,[::1]:26381,s4', REDIS_SENTINEL_NAME: 'mymaster' })).toMatchObject({
      mode: 'redis',
      topology: 'sentinel',
      sentinelName: 'mymaster',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
        { host: '::1', port: 26381 },
        { host: 's4', port: 26379 },
      ],
    });
    expect(readStorageConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001', REDIS_URL: 'rediss://u:p@ignored:1' })).toMatchObject({
      mode: 'redis',
      topology: 'cluster',
      clusterNodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
    });
  });

  it.each([
    [{ REDIS_SENTINELS: 's1:26379' }, /REDIS_SENTINEL_NAME/],
    [{ REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'n:1' }, /either/],
    [{ REDIS_CLUSTER_NODES: 'n1:70000' }, /not host:port/],
    [{ REDIS_URL: 'http://x' }, /redis:\/\//],
    [{ STATE_TTL_SECONDS: 'a day' }, /STATE_TTL_SECONDS/],
    [{ STATE_MAX_ITEM_BYTES: '0' }, /STATE_MAX_ITEM_BYTES/],
  ])('refuses a malformed configuration %#', (env, message) => {
    expect(() => readStorageConfig(env)).toThrow(message);
  });
});

describe('createStorage in memory mode', () => {
  it('gives bounded memory storage with the state expiry, an in-memory turn queue and a healthy status', async () => {
    const store = createStorage({ STATE_TTL_SECONDS: '120', STATE_MEMORY_MAX_ITEMS: '7' });
    expect(store.mode).toBe('memory');
    expect(store.storage).toBeInstanceOf(BoundedMemoryStorage);
    expect((store.storage as BoundedMemoryStorage).ttlSeconds).toBe(120);
    expect(store.turnMiddleware.queue).toBeInstanceOf(MemoryTurnQueue);
    expect(await store.health()).toEqual({ storage: 'memory', reachable: true });
    const adapter = new TestAdapter();
    adapter.use(store.turnMiddleware);
    let ran = false;
    await adapter.processActivity('hi', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    await store.close();
  });
});

describeRedis('createStorage with REDIS_URL', () => {
  const ctx = redisTestContext();
  let store: StateStore;

  beforeAll(() => {
    store = createStorage({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: ctx.prefix, STATE_TTL_SECONDS: '60', STATE_MAX_ITEM_BYTES: '2000' });
  });

  afterAll(async () => {
    await store.close();
    await ctx.cleanup();
  });

  it('stores conversation state in Redis under the prefix, with the configured expiry and size limit', async () => {
    expect(store.mode).toBe('redis');
    expect(store.storage).toBeInstanceOf(RedisStorage);
    expect(store.turnMiddleware.queue).toBeInstanceOf(RedisTurnQueue);
    expect(await until(async () => (await store.health()).reachable, 3000)).toBe(true);
    expect(await store.health()).toEqual({ storage: 'redis', reachable: true });
    await store.storage.write({ k: { v: 1 } });
    expect((await store.storage.read(['k'])).k.v).toBe(1);
    const ttl = await store.redis!.ttl(`${ctx.prefix}state:k`);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    await expect(store.storage.write({ big: { text: 'x'.repeat(3000) } })).rejects.toThrow(/STATE_MAX_ITEM_BYTES/);
  });

  it('serializes turns through the middleware', async () => {
    const adapter = new TestAdapter();
    adapter.use(store.turnMiddleware);
    let active = 0;
    let maxActive = 0;
    await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        adapter.processActivity('hi', async () => {
          maxActive = Math.max(maxActive, ++active);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(maxActive).toBe(1);
  });
});

describe('createStorage when Redis is unreachable', () => {
  it('starts at once, reports degraded health, fails operations fast, and never logs state', async () => {
    const port = await freePort();
    const { logger, lines } = recordingLogger();
    const started = Date.now();
    const store = createStorage({ REDIS_URL: `redis://127.0.0.1:${port}` }, logger);
    expect(Date.now() - started).toBeLessThan(100); // start-up does not wait for Redis
    try {
      let t = Date.now();
      expect(await store.health()).toEqual({ storage: 'redis', reachable: false });
      expect(Date.now() - t).toBeLessThan(1600);

      t = Date.now();
      await expect(store.storage.write({ k: { secret: 'do-not-log-me' } })).rejects.toThrow(/Redis storage unavailable/);
      await expect(store.storage.read(['k'])).rejects.toThrow(/Redis storage unavailable/);
      const adapter = new TestAdapter();
      adapter.use(store.turnMiddleware);
      await expect(adapter.processActivity('hi', async () => undefined)).rejects.toThrow(/Redis storage unavailable/);
      expect(Date.now() - t).toBeLessThan(1500);

      await sleep(300);
      expect(lines.some((l) => l.level === 'warn' && /not reachable/.test(l.msg))).toBe(true);
      expect(JSON.stringify(lines)).not.toContain('do-not-log-me');
    } finally {
      await store.close();
    }
  });

  it('does not hang or crash with unreachable Sentinel or Cluster nodes', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    for (const env of [
      { REDIS_SENTINELS: `127.0.0.1:${p1},127.0.0.1:${p2}`, REDIS_SENTINEL_NAME: 'mymaster' },
      { REDIS_CLUSTER_NODES: `127.0.0.1:${p1},127.0.0.1:${p2}` },
    ]) {
      const store = createStorage(env);
      try {
        const t = Date.now();
        expect(await store.health()).toEqual({ storage: 'redis', reachable: false });
        await expect(store.storage.read(['k'])).rejects.toThrow(/Redis storage unavailable/);
        expect(Date.now() - t).toBeLessThan(1600);
      } finally {
        await store.close();
      }
    }
  });
});

/** Tests that start and stop their own redis-server on a free port (never the shared one). */
const describePrivateServer = REDIS_SERVER_BINARY ? describe : describe.skip;
if (!REDIS_SERVER_BINARY) console.warn('!!! SKIPPING private redis-server tests: no redis-server binary on PATH');

describePrivateServer('createStorage with a private Redis that goes away and comes back', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const start = async (port: number, args?: string[]) => {
    const child = await startRedisServer(port, args);
    children.push(child);
    return child;
  };
  const tmpDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnbot-redis-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const child of children) {
      if (child.signalCode === 'SIGSTOP' || child.exitCode === null) child.kill('SIGCONT');
      await stopRedisServer(child);
    }
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is degraded while Redis is down at start-up, resumes when it comes up, and fails fast when it stops or hangs', async () => {
    const port = await freePort();
    const { logger, lines } = recordingLogger();
    const store = createStorage({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'private:' }, logger);
    try {
      expect((await store.health()).reachable).toBe(false);

      let server = await start(port); // Redis comes up after the bot
      expect(await until(async () => (await store.health()).reachable, 5000)).toBe(true);
      await store.storage.write({ k: { v: 1 } });
      expect((await store.storage.read(['k'])).k.v).toBe(1);

      server.kill('SIGSTOP'); // hangs: commands time out
      let t = Date.now();
      await expect(store.storage.read(['k'])).rejects.toThrow(/Command timed out/);
      expect(Date.now() - t).toBeLessThan(1500);
      expect((await store.health()).reachable).toBe(false);
      server.kill('SIGCONT');
      expect(await until(async () => (await store.health()).reachable, 5000)).toBe(true);

      await stopRedisServer(server); // goes away: commands reject at once
      t = Date.now();
      await expect(store.storage.write({ k: { v: 2 } })).rejects.toThrow(/Redis storage unavailable/);
      expect(Date.now() - t).toBeLessThan(1500);
      expect((await store.health()).reachable).toBe(false);

      server = await start(port); // and comes back
      expect(await until(async () => (await store.health()).reachable, 5000)).toBe(true);
      await store.storage.write({ k: { v: 3 } });
      expect((await store.storage.read(['k'])).k.v).toBe(3);
      await store.turnMiddleware.queue.run('c', async () => undefined);
      expect(lines.some((l) => /reachable again/.test(l.msg))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('works through Redis Sentinel', async () => {
    const masterPort = await freePort();
    await start(masterPort);
    const sentinelPort = await freePort();
    const dir = tmpDir();
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, `port ${sentinelPort}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor rnbotmaster 127.0.0.1 ${masterPort} 1\n`);
    await start(sentinelPort, [conf, '--sentinel']);
    const store = createStorage({ REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: 'rnbotmaster', REDIS_KEY_PREFIX: 'sentinel:' });
    try {
      expect(await until(async () => (await store.health()).reachable, 5000)).toBe(true);
      await store.storage.write({ k: { v: 1 } });
      expect((await store.storage.read(['k'])).k.v).toBe(1);
      await store.turnMiddleware.queue.run('c', async () => undefined);
    } finally {
      await store.close();
    }
  });

  it('works on Redis Cluster: every multi-key script stays in one hash slot', async () => {
    const port = await freePort();
    const dir = tmpDir();
    await start(port, [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir,
    ]);
    const added = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'addslotsrange', '0', '16383'], { encoding: 'utf8' });
    expect(added.stdout.trim()).toBe('OK');
    const store = createStorage({ REDIS_CLUSTER_NODES: `127.0.0.1:${port}`, REDIS_KEY_PREFIX: 'cluster:' });
    try {
      expect(await until(async () => (await store.health()).reachable && (await store.storage.read(['x']).then(() => true, () => false)), 8000)).toBe(true);
      await store.storage.write({ k: { v: 1 } });
      expect((await store.storage.read(['k'])).k.v).toBe(1);
      const order: number[] = [];
      await Promise.all([1, 2, 3].map(() => store.turnMiddleware.queue.run('c', async (slot) => void order.push(slot.ticket))));
      expect(order).toEqual([1, 2, 3]);
    } finally {
      await store.close();
    }
  });
});
