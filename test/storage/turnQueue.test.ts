import { randomUUID } from 'crypto';
import { ConversationState, TestAdapter, type TurnContext } from 'botbuilder';
import type { ChildProcess } from 'child_process';
import { Redis } from 'ioredis';
import { FAIL_FAST_OPTIONS, reconnectDelay, StorageUnavailableError } from '../../storage/redisClient';
import { RedisStorage } from '../../storage/redisStorage';
import {
  MemoryTurnQueue,
  RedisTurnQueue,
  TurnQueueMiddleware,
  TurnQueueTimeoutError,
  type TurnQueue,
  type TurnSlot,
} from '../../storage/turnQueue';
import { describeRedis, freePort, redisTestContext, REDIS_SERVER_BINARY, sleep, startRedisServer, stopRedisServer, waitReady } from './redisTestSupport';

/** Records which turns run at the same time. */
function tracker() {
  let active = 0;
  let maxActive = 0;
  const order: number[] = [];
  const turn =
    (ms: () => number = () => 2 + Math.random() * 8) =>
    async (slot: TurnSlot): Promise<number> => {
      active++;
      maxActive = Math.max(maxActive, active);
      order.push(slot.ticket);
      await sleep(ms());
      active--;
      return slot.ticket;
    };
  return { turn, order, get maxActive() { return maxActive; } };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** 20 turns of one conversation issued at once, alternating between the queues; another conversation meanwhile. */
async function orderAndIndependence(queues: TurnQueue[]): Promise<void> {
  const conversation = `conv-${randomUUID()}`;
  const t = tracker();
  let finished = 0;
  const runs = range(20).map((i) => queues[i % queues.length].run(conversation, t.turn()).finally(() => finished++));
  await sleep(5);
  const other = await queues[queues.length - 1].run(`other-${randomUUID()}`, async (slot) => ({ slot, finishedBefore: finished }));
  const tickets = await Promise.all(runs);

  expect(t.maxActive).toBe(1); // one at a time
  expect(t.order).toEqual(range(20)); // in ticket order, no turn lost
  for (const q of queues.keys()) {
    // arrival order: each queue's turns got increasing tickets in the order they were issued
    const mine = tickets.filter((_, i) => i % queues.length === q);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
  }
  // the other conversation ran while the first one's turns were still queued, without waiting for them
  expect(other.finishedBefore).toBeLessThan(20);
  expect(other.slot.waitedMs).toBeLessThan(200);
}

describe('MemoryTurnQueue', () => {
  it('runs the turns of one conversation one at a time in arrival order, other conversations in parallel', async () => {
    await orderAndIndependence([new MemoryTurnQueue()]);
  });

  it('keeps going after a turn fails, and forgets idle conversations', async () => {
    const queue = new MemoryTurnQueue();
    const failing = queue.run('c', async () => {
      throw new Error('boom');
    });
    const next = queue.run('c', async (slot) => slot.ticket);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
    expect(queue.activeConversations).toBe(0);
  });

  it('gives up waiting after maxWaitMs with a clear error, and the turns behind still keep their order', async () => {
    const queue = new MemoryTurnQueue({ maxWaitMs: 100 });
    let release!: () => void;
    const holder = queue.run('c', () => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    await expect(queue.run('c', async () => 'never')).rejects.toThrow(TurnQueueTimeoutError);
    expect(Date.now() - started).toBeLessThan(500);
    const after = queue.run('c', async (slot) => slot.ticket);
    release();
    await holder;
    await expect(after).resolves.toBe(3);
  });

  it('lets the next turn in when a turn runs longer than maxHoldMs', async () => {
    const queue = new MemoryTurnQueue({ maxHoldMs: 100 });
    let release!: () => void;
    const stuck = queue.run('c', () => new Promise<void>((resolve) => (release = resolve)));
    const started = Date.now();
    await queue.run('c', async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    release();
    await stuck;
  });
});

describe('TurnQueueMiddleware', () => {
  it('serializes the turns of a conversation through an adapter and exposes the slot', async () => {
    const adapter = new TestAdapter();
    adapter.use(new TurnQueueMiddleware(new MemoryTurnQueue()));
    const t = tracker();
    const conversation = { id: 'm1', isGroup: false, conversationType: 'personal', name: '' };
    await Promise.all(
      range(5).map(() =>
        adapter.processActivity({ type: 'message', text: 'hi', conversation }, async (context: TurnContext) => {
          await t.turn()(TurnQueueMiddleware.slotOf(context)!);
        }),
      ),
    );
    expect(t.maxActive).toBe(1);
    expect(t.order).toEqual(range(5));
  });
});

describeRedis('RedisTurnQueue against a real Redis', () => {
  const ctx = redisTestContext();
  let clientA: Redis;
  let clientB: Redis;
  const queues: RedisTurnQueue[] = [];
  const queue = (client: Redis, options: ConstructorParameters<typeof RedisTurnQueue>[1] = {}) => {
    const q = new RedisTurnQueue(client, { keyPrefix: ctx.prefix, ...options });
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    clientA = ctx.newClient();
    clientB = ctx.newClient();
    await Promise.all([waitReady(clientA), waitReady(clientB)]);
  });

  afterAll(async () => {
    for (const q of queues) await q.close();
    await ctx.cleanup();
  });

  it('runs 20 concurrent turns of one conversation from two processes one at a time in ticket order; another conversation is not blocked', async () => {
    await orderAndIndependence([queue(clientA), queue(clientB)]);
  });

  it('loses no update: 20 concurrent turns incrementing conversation state through two bot instances', async () => {
    const conversation = { id: `count-${randomUUID()}`, isGroup: false, conversationType: 'personal', name: '' };
    const instance = (client: Redis) => {
      const adapter = new TestAdapter();
      adapter.use(new TurnQueueMiddleware(queue(client)));
      return { adapter, state: new ConversationState(new RedisStorage(client, { keyPrefix: ctx.prefix })) };
    };
    const bots = [instance(clientA), instance(clientB)];
    await Promise.all(
      range(20).map((i) => {
        const { adapter, state } = bots[i % 2];
        return adapter.processActivity({ type: 'message', text: 'hi', conversation }, async (context) => {
          const count = state.createProperty<number>('count');
          const value = (await count.get(context)) ?? 0;
          await sleep(Math.random() * 5); // a turn does work between load and save
          await count.set(context, value + 1);
          await state.saveChanges(context);
        });
      }),
    );
    const key = `test/conversations/${conversation.id}/`;
    const stored = await new RedisStorage(clientA, { keyPrefix: ctx.prefix }).read([key]);
    expect(stored[key].count).toBe(20);
  });

  it('does not let a holder that died block the conversation beyond its lease', async () => {
    const dying = ctx.newClient();
    await waitReady(dying);
    const crashed = queue(dying, { leaseMs: 300 });
    const survivor = queue(clientB, { leaseMs: 300 });
    const conversation = `crash-${randomUUID()}`;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const never = crashed.run(conversation, async () => {
      entered();
      await new Promise(() => undefined); // the process dies inside its turn
    });
    void never;
    await inside;
    await crashed.close(); // no more renewals …
    dying.disconnect(); // … and no release: the process is gone

    const started = Date.now();
    const slot = await survivor.run(conversation, async (s) => s);
    const waited = Date.now() - started;
    expect(slot.ticket).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(1500);
  });

  it('does not let a waiter that died block the turns behind it', async () => {
    const dying = ctx.newClient();
    await waitReady(dying);
    const a = queue(clientA, { leaseMs: 300 });
    const crashed = queue(dying, { leaseMs: 300 });
    const b = queue(clientB, { leaseMs: 300 });
    const conversation = `dead-waiter-${randomUUID()}`;
    let release!: () => void;
    const first = a.run(conversation, () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);
    const lost = crashed.run(conversation, async () => 'never').catch((e: unknown) => e); // ticket 2, waiting
    await sleep(20);
    const third = b.run(conversation, async (s) => s.ticket);
    await sleep(20);
    dying.disconnect(); // the waiter's process dies: its next poll fails, its ticket stays in the queue
    expect(await lost).toBeInstanceOf(StorageUnavailableError);
    const releasedAt = Date.now();
    release();
    await first;
    await expect(third).resolves.toBe(3);
    expect(Date.now() - releasedAt).toBeLessThan(1500);
  });

  it('gives up waiting after maxWaitMs with a clear error; the abandoned ticket does not delay later turns', async () => {
    const a = queue(clientA);
    const b = queue(clientB, { maxWaitMs: 150 });
    const conversation = `timeout-${randomUUID()}`;
    let release!: () => void;
    const holder = a.run(conversation, () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);
    const started = Date.now();
    const error = await b.run(conversation, async () => 'never').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TurnQueueTimeoutError);
    expect((error as Error).message).toMatch(/timed out after \d+ ms/);
    expect(Date.now() - started).toBeLessThan(600);
    const next = a.run(conversation, async (s) => s.ticket);
    release();
    await holder;
    const nextStarted = Date.now();
    await expect(next).resolves.toBe(3);
    expect(Date.now() - nextStarted).toBeLessThan(200); // no lease wait for the abandoned ticket 2
  });

  it('fences an expired holder: finishing late, it cannot end the turn that took over', async () => {
    const slow = queue(clientA, { leaseMs: 200, maxHoldMs: 50 }); // stops renewing after 50 ms
    const b = queue(clientB, { leaseMs: 200 });
    const conversation = `fence-${randomUUID()}`;
    const log: string[] = [];
    const first = slow.run(conversation, async () => {
      log.push('1 start');
      await sleep(700);
      log.push('1 end');
    });
    await sleep(20);
    const second = b.run(conversation, async () => {
      log.push('2 start');
      await sleep(1000); // still running when turn 1 finishes and tries to release
      log.push('2 end');
    });
    await sleep(20);
    const third = b.run(conversation, async () => {
      log.push('3 start');
    });
    await Promise.all([first, second, third]);
    expect(log.indexOf('2 start')).toBeLessThan(log.indexOf('1 end')); // turn 1 overran its lease
    expect(log.indexOf('3 start')).toBeGreaterThan(log.indexOf('2 end')); // …but could not let turn 3 in early
  });

  it('keeps its keys under the prefix and lets them expire', async () => {
    const q = queue(clientA);
    const conversation = `keys-${randomUUID()}`;
    await q.run(conversation, async () => undefined);
    const keys = q.keysOf(conversation);
    expect(keys.counter.startsWith(`${ctx.prefix}turn:{`)).toBe(true);
    expect(keys.counter).not.toContain(conversation);
    expect(await clientA.pttl(keys.counter)).toBeGreaterThan(0);
    expect(await clientA.exists(keys.queue, keys.deadlines)).toBe(0); // the finished ticket left nothing behind
  });

  it('drops a ticket nobody owns (taken by a command that ran after its caller gave up) within one lease', async () => {
    const q = queue(clientA, { leaseMs: 400 });
    const conversation = `orphan-${randomUUID()}`;
    const keys = q.keysOf(conversation);
    // What a timed-out take leaves when Redis runs it late: a ticket at the head that no process renews.
    await clientB.eval(
      "redis.call('INCR', KEYS[1]) redis.call('ZADD', KEYS[2], 1, 1) local t = redis.call('TIME') redis.call('HSET', KEYS[3], 1, t[1] * 1000 + math.floor(t[2] / 1000) + 400)",
      3,
      keys.counter,
      keys.queue,
      keys.deadlines,
    );
    const started = Date.now();
    const slot = await q.run(conversation, async (s) => s);
    expect(slot.ticket).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

/** A private redis-server this file starts, so that it can be frozen (never the shared one). */
const describeFreeze = REDIS_SERVER_BINARY ? describe : describe.skip;

describeFreeze('RedisTurnQueue when Redis freezes (DEBUG SLEEP on a private server)', () => {
  let server: ChildProcess;
  let url: string;
  const clients: Redis[] = [];
  const client = (options: Record<string, unknown> = FAIL_FAST_OPTIONS) => {
    const c = new Redis(url, { ...options, retryStrategy: reconnectDelay });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    server = await startRedisServer(port, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local']);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    if (server) await stopRedisServer(server);
  });

  it('serves the conversation again within a few seconds after a 10 s freeze during which 3 turns were attempted', async () => {
    const [clientA, clientB] = [client(), client()];
    await Promise.all([waitReady(clientA), waitReady(clientB)]);
    const a = new RedisTurnQueue(clientA, { keyPrefix: 'freeze:' });
    const b = new RedisTurnQueue(clientB, { keyPrefix: 'freeze:' });
    const conversation = `freeze-${randomUUID()}`;
    try {
      await expect(a.run(conversation, async (s) => s.ticket)).resolves.toBe(1);

      const admin = client({ enableOfflineQueue: true }); // no command timeout: the freeze itself must be awaited
      await waitReady(admin);
      const frozen = admin.call('DEBUG', 'SLEEP', '10');
      await sleep(100);
      const attempts: unknown[] = [];
      for (const q of [a, b, a]) {
        attempts.push(await q.run(conversation, async () => 'ran').catch((e: unknown) => e));
        await sleep(500);
      }
      expect(attempts.every((e) => e instanceof StorageUnavailableError)).toBe(true);
      await frozen;
      const resumedAt = Date.now();

      const next = await b.run(conversation, async (s) => s.waitedMs);
      const backAfter = Date.now() - resumedAt;
      expect(backAfter).toBeLessThan(4000); // within one lease (3 s) of Redis resuming, not 15 s and "busy"
      const following = Date.now();
      await a.run(conversation, async () => undefined);
      expect(Date.now() - following).toBeLessThan(300); // and nothing left over blocks the turns after it
      console.log(`turn queue after a 10 s freeze with 3 turns attempted: next turn ran ${backAfter} ms after Redis resumed (waited ${next} ms)`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);
});

describe('RedisTurnQueue when Redis is unreachable', () => {
  it('rejects within 1.5 s with a storage error, and never runs the turn', async () => {
    const port = await freePort();
    const { Redis: RedisClass } = await import('ioredis');
    const client = new RedisClass(`redis://127.0.0.1:${port}`, { ...FAIL_FAST_OPTIONS, retryStrategy: reconnectDelay });
    client.on('error', () => undefined);
    const q = new RedisTurnQueue(client);
    let ran = false;
    try {
      const started = Date.now();
      await expect(
        q.run('c', async () => {
          ran = true;
        }),
      ).rejects.toThrow(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(ran).toBe(false);
    } finally {
      await q.close();
      client.disconnect();
    }
  });
});
