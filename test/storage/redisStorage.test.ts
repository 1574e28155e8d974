import * as net from 'net';
import { ConversationState, TestAdapter } from 'botbuilder';
import { Redis } from 'ioredis';
import { ETagConflictError, ItemTooLargeError, RedisStorage } from '../../storage/redisStorage';
import { FAIL_FAST_OPTIONS, reconnectDelay, StorageUnavailableError } from '../../storage/redisClient';
import { describeRedis, freePort, redisTestContext, sleep, waitReady } from './redisTestSupport';

describeRedis('RedisStorage against a real Redis', () => {
  const ctx = redisTestContext();
  let client: Redis;
  let storage: RedisStorage;

  beforeAll(async () => {
    client = ctx.newClient();
    await waitReady(client);
    storage = new RedisStorage(client, { keyPrefix: ctx.prefix });
  });

  afterAll(() => ctx.cleanup());

  it('round-trips items: read gives what was written plus an eTag, delete removes it', async () => {
    await storage.write({ a: { name: '测试', nested: { n: 1, list: [1, 2] } }, b: { x: true } });
    const read = await storage.read(['a', 'b', 'missing']);
    expect(Object.keys(read).sort()).toEqual(['a', 'b']);
    expect(read.a).toEqual({ name: '测试', nested: { n: 1, list: [1, 2] }, eTag: expect.any(String) });
    expect(read.b.eTag).not.toEqual(read.a.eTag);
    await storage.delete(['a', 'missing']);
    expect(await storage.read(['a', 'b'])).toEqual({ b: { x: true, eTag: read.b.eTag } });
  });

  it('keeps items under the key prefix with the configured expiry', async () => {
    await storage.write({ 'emulator/conversations/c1/': { v: 1 } });
    const key = `${ctx.prefix}state:emulator/conversations/c1/`;
    expect(await client.exists(key)).toBe(1);
    const ttl = await client.ttl(key);
    expect(ttl).toBeGreaterThan(24 * 3600 - 10);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });

  it('gives every write a new eTag and does not change the caller\'s object', async () => {
    const item = { v: 1 };
    await storage.write({ e: item });
    const first = (await storage.read(['e'])).e.eTag;
    await storage.write({ e: { v: 2, eTag: '*' } });
    const second = (await storage.read(['e'])).e.eTag;
    expect(first).toEqual(expect.any(String));
    expect(second).not.toEqual(first);
    expect(item).toEqual({ v: 1 });
  });

  it('refuses a write whose eTag is stale, accepts the current eTag and "*"', async () => {
    await storage.write({ c: { v: 1 } });
    const v1 = (await storage.read(['c'])).c;
    await storage.write({ c: { ...v1, v: 2 } }); // current eTag: accepted
    const v2 = (await storage.read(['c'])).c;
    expect(v2.v).toBe(2);

    await expect(storage.write({ c: { ...v1, v: 3 } })).rejects.toThrow(ETagConflictError);
    await expect(storage.write({ c: { ...v1, v: 3 } })).rejects.toThrow('eTag conflict');
    expect((await storage.read(['c'])).c).toEqual(v2); // nothing written

    await storage.write({ c: { v: 4, eTag: '*' } });
    expect((await storage.read(['c'])).c.v).toBe(4);
  });

  it('refuses a write with an eTag when the item was deleted meanwhile', async () => {
    await storage.write({ d: { v: 1 } });
    const read = (await storage.read(['d'])).d;
    await storage.delete(['d']);
    await expect(storage.write({ d: { ...read, v: 2 } })).rejects.toThrow(ETagConflictError);
    expect(await storage.read(['d'])).toEqual({});
  });

  it('expires items after the configured time', async () => {
    const shortLived = new RedisStorage(client, { keyPrefix: ctx.prefix, ttlSeconds: 0.3 });
    await shortLived.write({ t: { v: 1 } });
    expect(Object.keys(await shortLived.read(['t']))).toEqual(['t']);
    await sleep(600);
    expect(await shortLived.read(['t'])).toEqual({});
  });

  it('keeps items forever with ttlSeconds 0', async () => {
    const forever = new RedisStorage(client, { keyPrefix: ctx.prefix, ttlSeconds: 0 });
    await forever.write({ f: { v: 1 } });
    expect(await client.pttl(forever.redisKey('f'))).toBe(-1);
  });

  it('refuses items over the size limit with a clear error and writes nothing', async () => {
    const small = new RedisStorage(client, { keyPrefix: ctx.prefix, maxItemBytes: 100 });
    await small.write({ s: { text: 'x'.repeat(50) } });
    const big = { text: '字'.repeat(40) }; // 40 characters, 120 bytes of UTF-8
    const error = await small.write({ s: big, other: { ok: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ItemTooLargeError);
    expect((error as Error).message).toMatch(/"s" is \d+ bytes, over the limit of 100 bytes \(STATE_MAX_ITEM_BYTES\)/);
    expect((error as Error).message).not.toContain('字');
    expect((await small.read(['s'])).s.text).toBe('x'.repeat(50));
  });

  it('lets exactly one of two writers racing with the same eTag win (separate connections)', async () => {
    const other = ctx.newClient();
    await waitReady(other);
    const storage2 = new RedisStorage(other, { keyPrefix: ctx.prefix });
    for (let round = 0; round < 20; round++) {
      await storage.write({ race: { winner: 'none', round } });
      const base = (await storage.read(['race'])).race;
      const results = await Promise.allSettled([
        storage.write({ race: { ...base, winner: 'one' } }),
        storage2.write({ race: { ...base, winner: 'two' } }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(ETagConflictError);
      const winner = results[0].status === 'fulfilled' ? 'one' : 'two';
      expect((await storage.read(['race'])).race.winner).toBe(winner);
    }
  });

  it('lets exactly one of ten racing writers win', async () => {
    await storage.write({ crowd: { n: 0 } });
    const base = (await storage.read(['crowd'])).crowd;
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => storage.write({ crowd: { ...base, n: i + 1 } })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('serves as ConversationState storage across two bot instances', async () => {
    const other = ctx.newClient();
    await waitReady(other);
    const stateA = new ConversationState(storage);
    const stateB = new ConversationState(new RedisStorage(other, { keyPrefix: ctx.prefix }));
    const conversation = { id: `conv-${Date.now()}`, isGroup: false, conversationType: 'personal', name: '' };
    const turn = (state: ConversationState) => async () => {
      const adapter = new TestAdapter();
      await adapter.processActivity({ type: 'message', text: 'hi', conversation }, async (context) => {
        const count = state.createProperty<number>('count');
        await count.set(context, ((await count.get(context)) ?? 0) + 1);
        await state.saveChanges(context);
      });
    };
    await turn(stateA)();
    await turn(stateB)();
    await turn(stateA)();
    const stored = await storage.read([`test/conversations/${conversation.id}/`]);
    expect(stored[`test/conversations/${conversation.id}/`].count).toBe(3);
  });
});

describe('RedisStorage when Redis is unreachable', () => {
  it('rejects read, write and delete within 1.5 s on a closed port (no hang, no unhandled rejection)', async () => {
    const port = await freePort();
    const client = new Redis(`redis://127.0.0.1:${port}`, { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay });
    client.on('error', () => undefined);
    const storage = new RedisStorage(client, { keyPrefix: 'unreachable:' });
    try {
      for (const op of [() => storage.read(['a']), () => storage.write({ a: { v: 1 } }), () => storage.delete(['a'])]) {
        const started = Date.now();
        await expect(op()).rejects.toThrow(StorageUnavailableError);
        expect(Date.now() - started).toBeLessThan(1500);
      }
    } finally {
      client.disconnect();
    }
  });

  it('rejects within 1.5 s when the server accepts connections but never answers', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = new Redis(`redis://127.0.0.1:${port}`, { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay });
    client.on('error', () => undefined);
    const storage = new RedisStorage(client);
    try {
      await sleep(100); // connected at TCP level, handshake pending
      for (const op of [() => storage.read(['a']), () => storage.write({ a: { v: 1 } })]) {
        const started = Date.now();
        await expect(op()).rejects.toThrow(/Redis storage unavailable/);
        expect(Date.now() - started).toBeLessThan(1500);
      }
    } finally {
      client.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
