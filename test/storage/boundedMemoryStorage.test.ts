import { ConversationState, TestAdapter } from 'botbuilder';
import { BoundedMemoryStorage } from '../../storage/boundedMemoryStorage';
import { ETagConflictError, ItemTooLargeError } from '../../storage/redisStorage';
import { sleep } from './redisTestSupport';

describe('BoundedMemoryStorage', () => {
  it('round-trips items with a new eTag per write, refuses a stale eTag, accepts the current one and "*"', async () => {
    const storage = new BoundedMemoryStorage();
    await storage.write({ a: { n: 1 } });
    const first = (await storage.read(['a'])).a;
    expect(first).toMatchObject({ n: 1 });
    await storage.write({ a: { n: 2, eTag: first.eTag } });
    const second = (await storage.read(['a'])).a;
    expect(second.eTag).not.toBe(first.eTag);
    await expect(storage.write({ a: { n: 3, eTag: first.eTag } })).rejects.toThrow(ETagConflictError);
    await storage.write({ a: { n: 4, eTag: '*' } });
    expect((await storage.read(['a'])).a.n).toBe(4);
    await storage.delete(['a']);
    expect(await storage.read(['a'])).toEqual({});
    await expect(storage.write({ a: { n: 5, eTag: second.eTag } })).rejects.toThrow(ETagConflictError); // deleted meanwhile, as in Redis
  });

  it('gives readers copies: changing what was read or written does not change what is stored', async () => {
    const storage = new BoundedMemoryStorage();
    const item = { list: [1] };
    await storage.write({ k: item });
    item.list.push(2);
    const read = (await storage.read(['k'])).k;
    read.list.push(3);
    expect((await storage.read(['k'])).k.list).toEqual([1]);
  });

  it('forgets items STATE_TTL_SECONDS after their last write', async () => {
    const storage = new BoundedMemoryStorage({ ttlSeconds: 1 });
    await storage.write({ old: { v: 1 }, kept: { v: 1 } });
    await sleep(600);
    await storage.write({ kept: { v: 2 } });
    await sleep(600);
    expect(await storage.read(['old', 'kept'])).toEqual({ kept: expect.objectContaining({ v: 2 }) });
    expect(storage.size).toBe(1);
  });

  it('keeps at most maxItems items, dropping the least recently used first', async () => {
    const storage = new BoundedMemoryStorage({ maxItems: 3 });
    await storage.write({ a: {}, b: {}, c: {} });
    await storage.read(['a']); // a is used again: b is now the least recently used
    await storage.write({ d: {} });
    expect(Object.keys(await storage.read(['a', 'b', 'c', 'd'])).sort()).toEqual(['a', 'c', 'd']);
  });

  it('keeps at most maxBytes of JSON: 40,000 conversations of 25 KB stay within the bound', async () => {
    const maxBytes = 10 * 1024 * 1024;
    const storage = new BoundedMemoryStorage({ maxBytes, maxItems: 1_000_000 });
    const filler = 'x'.repeat(25 * 1024);
    for (let i = 0; i < 40_000; i++) await storage.write({ [`c${i}`]: { filler } });
    expect(storage.bytes).toBeLessThanOrEqual(maxBytes);
    expect(storage.size).toBeLessThanOrEqual(Math.floor(maxBytes / (25 * 1024)));
    expect((await storage.read(['c39999'])).c39999).toBeDefined(); // the newest stays
    expect(await storage.read(['c0'])).toEqual({}); // the oldest went first
  });

  it('refuses an item over maxItemBytes and writes nothing of that write', async () => {
    const storage = new BoundedMemoryStorage({ maxItemBytes: 100 });
    await expect(storage.write({ small: { v: 1 }, big: { v: 'x'.repeat(200) } })).rejects.toThrow(ItemTooLargeError);
    expect(await storage.read(['small', 'big'])).toEqual({});
  });

  it('serves as ConversationState storage', async () => {
    const state = new ConversationState(new BoundedMemoryStorage());
    const count = state.createProperty<number>('count');
    const adapter = new TestAdapter(async (context) => {
      await count.set(context, ((await count.get(context)) ?? 0) + 1);
      await state.saveChanges(context);
      await context.sendActivity(String(await count.get(context)));
    });
    await adapter.send('one').assertReply('1').send('two').assertReply('2').startTest();
  });
});
