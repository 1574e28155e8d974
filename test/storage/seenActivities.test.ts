import { randomUUID } from 'crypto';
import { TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import type { Redis } from 'ioredis';
import { activityKeyOf, DuplicateActivityMiddleware, MemorySeenActivities, RedisSeenActivities, type SeenActivities } from '../../storage/seenActivities';
import { RedisTurnQueue, TurnQueueMiddleware } from '../../storage/turnQueue';
import { describeRedis, redisTestContext, sleep, waitReady } from './redisTestSupport';

const message = (extra: Partial<Activity> = {}): Partial<Activity> => ({
  type: 'message',
  id: 'a1',
  channelId: 'msteams',
  conversation: { id: 'c1' } as Activity['conversation'],
  from: { id: 'u1', name: 'u' },
  text: 'hi',
  ...extra,
});

describe('activityKeyOf', () => {
  it('knows an activity by channel, conversation and id, and keeps the ids out of the key', () => {
    const key = activityKeyOf(message())!;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(activityKeyOf(message())).toBe(key);
    expect(activityKeyOf(message({ id: 'a2' }))).not.toBe(key);
    expect(activityKeyOf(message({ conversation: { id: 'c2' } as Activity['conversation'] }))).not.toBe(key);
    expect(activityKeyOf(message({ channelId: 'dingtalk' }))).not.toBe(key);
  });

  it("prefers the client's own id (Web Chat's clientActivityID), which survives a re-post under a new channel id", () => {
    const first = message({ channelId: 'directline', id: 'c1|0000001', channelData: { clientActivityID: 'wc-123' } });
    const repost = message({ channelId: 'directline', id: 'c1|0000002', channelData: { clientActivityID: 'wc-123' } });
    expect(activityKeyOf(repost)).toBe(activityKeyOf(first));
  });

  it('leaves alone activities without a usable id, invokes and typing', () => {
    expect(activityKeyOf(message({ id: undefined }))).toBeUndefined();
    expect(activityKeyOf(message({ id: 'x'.repeat(300) }))).toBeUndefined();
    expect(activityKeyOf(message({ id: 7 as unknown as string }))).toBeUndefined();
    expect(activityKeyOf(message({ type: 'invoke' }))).toBeUndefined();
    expect(activityKeyOf(message({ type: 'typing' }))).toBeUndefined();
    expect(activityKeyOf(message({ channelData: { clientActivityID: { no: 1 } } }))).toBe(activityKeyOf(message()));
  });
});

/** A bot whose turns are counted; `fail` makes the next turn throw, before or after replying. */
function countingBot(seen: SeenActivities, extra: { use?: TurnQueueMiddleware } = {}) {
  let runs = 0;
  let fail: 'before' | 'after' | undefined;
  const adapter = new TestAdapter();
  if (extra.use) adapter.use(extra.use);
  adapter.use(new DuplicateActivityMiddleware(seen));
  const logic = async (context: TurnContext) => {
    runs++;
    await sleep(5);
    if (fail === 'before') throw new Error('crashed before replying');
    await context.sendActivity(`question ${runs}`);
    if (fail === 'after') throw new Error('crashed after replying');
  };
  const send = async (activity: Partial<Activity>) => {
    try {
      await adapter.processActivity(activity, logic);
    } catch {
      // the crash of the attempt; the client retries
    } finally {
      fail = undefined;
    }
  };
  const replies = () => adapter.activeQueue.filter((a) => a.type === 'message').map((a) => a.text);
  return { adapter, send, replies, get runs() { return runs; }, failNext: (when: 'before' | 'after') => void (fail = when) };
}

describe('DuplicateActivityMiddleware (memory)', () => {
  it('answers an activity once however often it arrives, and still answers the next one', async () => {
    const bot = countingBot(new MemorySeenActivities());
    await bot.send(message());
    await bot.send(message());
    await bot.send(message({ channelData: { note: 'a retry' } }));
    await bot.send(message({ id: 'a2' }));
    expect(bot.runs).toBe(2);
    expect(bot.replies()).toEqual(['question 1', 'question 2']);
  });

  it('runs a retry again when the earlier attempt ended before any reply, never when a reply went out', async () => {
    const bot = countingBot(new MemorySeenActivities());
    bot.failNext('before');
    await bot.send(message({ id: 'b1' }));
    await bot.send(message({ id: 'b1' })); // nothing was shown: run it
    bot.failNext('after');
    await bot.send(message({ id: 'b2' }));
    await bot.send(message({ id: 'b2' })); // the question was shown: never again
    expect(bot.runs).toBe(3);
    expect(bot.replies()).toEqual(['question 2', 'question 3']);
  });

  it('forgets activities after the expiry', async () => {
    const bot = countingBot(new MemorySeenActivities(1));
    await bot.send(message({ id: 'e1' }));
    await sleep(1100);
    await bot.send(message({ id: 'e1' }));
    expect(bot.runs).toBe(2);
  });
});

describeRedis('DuplicateActivityMiddleware across instances (real Redis)', () => {
  const ctx = redisTestContext();
  let clientA: Redis;
  let clientB: Redis;
  const queues: RedisTurnQueue[] = [];

  beforeAll(async () => {
    clientA = ctx.newClient();
    clientB = ctx.newClient();
    await Promise.all([waitReady(clientA), waitReady(clientB)]);
  });
  afterAll(async () => {
    for (const q of queues) await q.close();
    await ctx.cleanup();
  });

  const instance = (client: Redis, ttlSeconds?: number) => {
    const queue = new RedisTurnQueue(client, { keyPrefix: ctx.prefix });
    queues.push(queue);
    return countingBot(new RedisSeenActivities(client, ctx.prefix, ttlSeconds), { use: new TurnQueueMiddleware(queue) });
  };

  it('runs 10 copies of one activity sent at once to two instances exactly once', async () => {
    const [a, b] = [instance(clientA), instance(clientB)];
    const activity = message({ id: `burst-${randomUUID()}` });
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).send(activity)));
    expect(a.runs + b.runs).toBe(1);
    expect([...a.replies(), ...b.replies()]).toEqual(['question 1']);
  });

  it('keeps its records under the prefix with the configured expiry', async () => {
    const a = instance(clientA, 120);
    const activity = message({ id: `ttl-${randomUUID()}` });
    await a.send(activity);
    const key = `${ctx.prefix}seen:${activityKeyOf(activity)}`;
    expect(await clientA.get(key)).toBe('done');
    const ttl = await clientA.pttl(key);
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('lets another instance run the retry of an attempt that crashed before replying', async () => {
    const [a, b] = [instance(clientA), instance(clientB)];
    const activity = message({ id: `crash-${randomUUID()}` });
    a.failNext('before');
    await a.send(activity);
    await b.send(activity);
    await a.send(activity);
    expect([a.runs, b.runs]).toEqual([1, 1]);
    expect([...a.replies(), ...b.replies()]).toEqual(['question 1']);
  });
});
