/**
 * One turn at a time per conversation, in arrival order, across every bot process.
 *
 * Why: BotState.saveChanges writes conversation state with eTag '*', so two overlapping turns of one
 * conversation (a user sending two messages quickly, the load balancer sending them to two processes)
 * would each load the same state and the later save would silently drop the earlier turn's changes.
 * Running the turns of a conversation one after the other makes every turn see its predecessor's state.
 * Other conversations are never blocked: each conversation has its own queue.
 *
 * `RedisTurnQueue` — a ticket queue per conversation, every step one Lua script (atomic):
 *   n  ticket counter: INCR on arrival gives the turn its ticket (arrival order);
 *   q  the tickets waiting or running, lowest first; the lowest (the head) is the one allowed to run;
 *   d  each ticket's deadline, by Redis's own clock: now + lease, renewed by its owner every time it polls
 *      while waiting and every third of a lease while running.
 * A ticket whose deadline passed is dropped when it reaches the head. That is what heals the queue:
 * a holder or waiter that crashed, and a ticket taken by a command that timed out on the bot side but still
 * ran when a frozen Redis resumed (nobody knows about that ticket, so nobody renews it), delay the
 * conversation by at most one lease period. A dropped ticket's owner learns it was passed over and does
 * not run. Finishing or giving up removes only the caller's own ticket, so a holder that overran its lease
 * and was passed over cannot end someone else's turn (fencing).
 * Waiting is polling with backoff (a few ms up to `pollMaxMs`, always well within a lease), woken early when
 * a turn of the same conversation ends in this process; the wait is bounded by `maxWaitMs` (then
 * `TurnQueueTimeoutError`). All keys of a conversation share a Redis Cluster hash tag (a hash of the
 * conversation's key, which also keeps ids out of key names).
 *
 * `MemoryTurnQueue` — the same contract in one process: a promise chain per conversation.
 *
 * `TurnQueueMiddleware` — either queue as botbuilder middleware, keyed by the turn's state key (`stateKeyOf`:
 * the conversation, or the member within a group conversation); `adapter.use()` it on every adapter, before any
 * middleware that loads state.
 */
import { createHash } from 'crypto';
import type { Middleware, TurnContext } from 'botbuilder';
import { DEFAULT_KEY_PREFIX } from './redisStorage';
import { stateKeyOf } from './stateKey';
import { defineScripts, runScript, silentLogger, StorageUnavailableError, type RedisClient, type StorageLogger } from './redisClient';

export interface TurnSlot {
  /** Position of the turn in its conversation's queue (1, 2, 3 … in arrival order; restarts when the queue goes idle and expires). */
  readonly ticket: number;
  /** How long the turn waited for earlier turns of its conversation. */
  readonly waitedMs: number;
}

export interface TurnQueue {
  readonly kind: 'memory' | 'redis';
  /** Runs `work` once every earlier turn of the conversation has finished; no other turn of it runs meanwhile. */
  run<T>(conversationId: string, work: (slot: TurnSlot) => Promise<T>): Promise<T>;
  /** Stops lease renewals and ends waits; leases still held are left to expire. Call when no turn is in flight. */
  close(): Promise<void>;
}

export interface TurnQueueOptions {
  /** Longest wait for earlier turns before giving up with TurnQueueTimeoutError (default 15 s). */
  maxWaitMs?: number;
  /** A turn running longer than this lets the next turn in (its lease is no longer renewed; default 2 min). */
  maxHoldMs?: number;
  logger?: StorageLogger;
}

export interface RedisTurnQueueOptions extends TurnQueueOptions {
  keyPrefix?: string;
  /** Lease period: how long a crashed holder, a dead waiter or an orphaned ticket blocks its conversation (default 3 s). */
  leaseMs?: number;
  /** Polling backoff bounds while waiting for another process (defaults 5 ms and 100 ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
}

export const DEFAULT_MAX_WAIT_MS = 15_000;
export const DEFAULT_MAX_HOLD_MS = 120_000;
export const DEFAULT_LEASE_MS = 3_000;

/** A turn waited longer than maxWaitMs for earlier turns of its conversation; it did not run. */
export class TurnQueueTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`Turn queue timed out after ${waitedMs} ms waiting for an earlier turn of the same conversation (storage busy); the turn did not run.`);
    this.name = 'TurnQueueTimeoutError';
  }
}

/** The turn's place in the queue was given away (it failed to claim it within a lease period); it did not run. */
export class TurnQueueSkippedError extends Error {
  constructor() {
    super('Turn queue: this turn was passed over (it did not claim its place in time, storage busy); the turn did not run.');
    this.name = 'TurnQueueSkippedError';
  }
}

export class TurnQueueClosedError extends Error {
  constructor() {
    super('Turn queue: storage is closed.');
    this.name = 'TurnQueueClosedError';
  }
}

const SLOT = Symbol('turnQueueSlot');

/** Serializes the turns of each conversation; attach with `adapter.use(middleware)` on every adapter. */
export class TurnQueueMiddleware implements Middleware {
  constructor(readonly queue: TurnQueue) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const key = stateKeyOf(context.activity);
    // No conversation (nothing to serialize), or already inside this conversation's turn (re-entry would deadlock).
    if (!key || context.turnState.get(SLOT)) return next();
    await this.queue.run(key, async (slot) => {
      context.turnState.set(SLOT, slot);
      await next();
    });
  }

  /** The queue slot of the running turn, if the turn went through this middleware. */
  static slotOf(context: TurnContext): TurnSlot | undefined {
    return context.turnState.get(SLOT) as TurnSlot | undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// In memory (single process)

interface MemoryLine {
  next: number;
  tail: Promise<void>;
  pending: number;
}

export class MemoryTurnQueue implements TurnQueue {
  readonly kind = 'memory' as const;
  private readonly lines = new Map<string, MemoryLine>();
  private readonly maxWaitMs: number;
  private readonly maxHoldMs: number;
  private readonly logger: StorageLogger;
  private closed = false;

  constructor(options: TurnQueueOptions = {}) {
    this.maxWaitMs = positive(options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, 'maxWaitMs');
    this.maxHoldMs = positive(options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS, 'maxHoldMs');
    this.logger = options.logger ?? silentLogger;
  }

  /** Conversations with a turn running or waiting (for tests and diagnostics). */
  get activeConversations(): number {
    return this.lines.size;
  }

  async run<T>(conversationId: string, work: (slot: TurnSlot) => Promise<T>): Promise<T> {
    if (this.closed) throw new TurnQueueClosedError();
    const started = Date.now();
    let line = this.lines.get(conversationId);
    if (!line) {
      line = { next: 0, tail: Promise.resolve(), pending: 0 };
      this.lines.set(conversationId, line);
    }
    const ticket = ++line.next;
    const previous = line.tail;
    let finishLink!: () => void;
    const link = new Promise<void>((resolve) => (finishLink = resolve));
    line.tail = link;
    line.pending++;
    const current = line;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      finishLink();
      if (--current.pending === 0 && this.lines.get(conversationId) === current) this.lines.delete(conversationId);
    };

    let timer: NodeJS.Timeout | undefined;
    const turnedUp = await Promise.race([
      previous.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.maxWaitMs))),
    ]);
    clearTimeout(timer);
    if (!turnedUp) {
      // Keep the order for the turns behind this one: its link ends when its predecessor's does.
      void previous.then(finish);
      throw new TurnQueueTimeoutError(Date.now() - started);
    }

    const holdTimer = setTimeout(() => {
      this.logger.warn({ maxHoldMs: this.maxHoldMs }, 'turn queue: a turn ran longer than maxHoldMs; letting the next turn of its conversation in');
      finish();
    }, this.maxHoldMs);
    holdTimer.unref();
    try {
      return await work({ ticket, waitedMs: Date.now() - started });
    } finally {
      clearTimeout(holdTimer);
      finish();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Redis (every process)

// Every script reads the clock of Redis itself (TIME), so that deadlines do not depend on the bot hosts' clocks.
// Redis 5+ replicates script effects, which makes TIME safe before writes; older servers need the call below.
const NOW_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
`;

// Drops head tickets whose deadline passed (holder or waiter gone, or a ticket nobody was told about).
// KEYS[2] queue (ZSET ticket→ticket), KEYS[3] deadlines (HASH ticket→ms); expects local now.
const PRUNE_LUA = `
local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
while head do
  local deadline = tonumber(redis.call('HGET', KEYS[3], head))
  if deadline and deadline > now then break end
  redis.call('ZREM', KEYS[2], head)
  redis.call('HDEL', KEYS[3], head)
  head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
end
`;

// The conversation's keys vanish once it is idle; \`idle\` names the argument holding the idle expiry in ms.
const expireLua = (idle: string) => `
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ${idle}) end
`;

// KEYS: counter, queue, deadlines; ARGV: lease ms, idle expiry ms. Returns {ticket, 1 if it runs now}.
const TAKE_LUA = `
${NOW_LUA}
${PRUNE_LUA}
local t = redis.call('INCR', KEYS[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1)[1]
if last and tonumber(last) >= t then
  -- the counter went back (keys lost in a failover): continue after the last ticket
  t = tonumber(last) + 1
  redis.call('SET', KEYS[1], t)
end
redis.call('ZADD', KEYS[2], t, t)
redis.call('HSET', KEYS[3], t, now + tonumber(ARGV[1]))
${expireLua('ARGV[2]')}
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == tostring(t) then return {t, 1} end
return {t, 0}
`;

// KEYS: counter, queue, deadlines; ARGV: ticket, lease ms, idle expiry ms. Renews the ticket's own deadline, then
// returns 1 = run now (it is the head), 0 = wait, -1 = passed over (its deadline passed and it was dropped).
const ACQUIRE_LUA = `
${NOW_LUA}
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return -1 end
redis.call('HSET', KEYS[3], ARGV[1], now + tonumber(ARGV[2]))
${PRUNE_LUA}
${expireLua('ARGV[3]')}
if redis.call('ZRANGE', KEYS[2], 0, 0)[1] == ARGV[1] then return 1 end
return 0
`;

// KEYS: counter, queue, deadlines; ARGV: ticket, lease ms. Returns 1 = renewed, 0 = lease lost (passed over).
const RENEW_LUA = `
${NOW_LUA}
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], now + tonumber(ARGV[2]))
return 1
`;

// KEYS: counter, queue, deadlines; ARGV: ticket. Finishing or giving up a wait: the ticket leaves the queue.
// Fenced by construction: it removes only its own ticket. Returns 1 = removed, 0 = it had been passed over.
const LEAVE_LUA = `
redis.call('HDEL', KEYS[3], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
`;

const SCRIPTS = {
  rnbotTurnTake: { lua: TAKE_LUA, numberOfKeys: 3 },
  rnbotTurnAcquire: { lua: ACQUIRE_LUA, numberOfKeys: 3 },
  rnbotTurnRenew: { lua: RENEW_LUA, numberOfKeys: 3 },
  rnbotTurnLeave: { lua: LEAVE_LUA, numberOfKeys: 3 },
};

interface QueueKeys {
  id: string;
  counter: string;
  queue: string;
  deadlines: string;
}

export class RedisTurnQueue implements TurnQueue {
  readonly kind = 'redis' as const;
  readonly keyPrefix: string;
  readonly leaseMs: number;
  readonly maxWaitMs: number;
  readonly maxHoldMs: number;
  private readonly pollMinMs: number;
  private readonly pollMaxMs: number;
  private readonly idleExpiryMs: number;
  private readonly logger: StorageLogger;
  /** Local waiters per conversation, woken when a turn of that conversation ends in this process. */
  private readonly sleepers = new Map<string, Set<() => void>>();
  private readonly renewals = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly client: RedisClient, options: RedisTurnQueueOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.leaseMs = positive(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    this.maxWaitMs = positive(options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, 'maxWaitMs');
    this.maxHoldMs = positive(options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS, 'maxHoldMs');
    this.pollMinMs = positive(options.pollMinMs ?? 5, 'pollMinMs');
    // A waiter renews its own deadline each time it polls: it must poll well within a lease.
    this.pollMaxMs = Math.max(this.pollMinMs, Math.min(options.pollMaxMs ?? 100, this.leaseMs / 4));
    this.logger = options.logger ?? silentLogger;
    // Queue keys outlive any ticket that can still be waiting or running, then vanish with the idle conversation.
    this.idleExpiryMs = Math.max(60 * 60 * 1000, 2 * (this.maxWaitMs + this.maxHoldMs + this.leaseMs));
    defineScripts(client, SCRIPTS);
  }

  /** The Redis keys of a conversation's queue (exposed for tests and cleanup). */
  keysOf(conversationId: string): QueueKeys {
    const id = createHash('sha256').update(conversationId).digest('hex').slice(0, 32);
    const base = `${this.keyPrefix}turn:{${id}}:`;
    return { id, counter: `${base}n`, queue: `${base}q`, deadlines: `${base}d` };
  }

  async run<T>(conversationId: string, work: (slot: TurnSlot) => Promise<T>): Promise<T> {
    if (this.closed) throw new TurnQueueClosedError();
    const started = Date.now();
    const keys = this.keysOf(conversationId);
    const [taken, runsNow] = (await this.call('rnbotTurnTake', keys, [this.leaseMs, this.idleExpiryMs], 'turn queue take')) as [number, number];
    const ticket = Number(taken);
    // An idle queue gives the lease with the ticket: no second round trip to claim it.
    if (Number(runsNow) !== 1) await this.waitForTurn(keys, ticket, started);
    const renewal = this.keepLease(keys, ticket);
    try {
      return await work({ ticket, waitedMs: Date.now() - started });
    } finally {
      clearInterval(renewal);
      this.renewals.delete(renewal);
      await this.release(keys, ticket);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.renewals) clearInterval(timer);
    this.renewals.clear();
    for (const wakers of this.sleepers.values()) for (const wake of wakers) wake();
  }

  private async waitForTurn(keys: QueueKeys, ticket: number, started: number): Promise<void> {
    const deadline = started + this.maxWaitMs;
    let delay = this.pollMinMs;
    for (;;) {
      let answer: number;
      try {
        answer = Number(await this.call('rnbotTurnAcquire', keys, [ticket, this.leaseMs, this.idleExpiryMs], 'turn queue wait'));
      } catch (err) {
        this.leave(keys, ticket);
        throw err;
      }
      if (answer === 1) return;
      if (answer < 0) throw new TurnQueueSkippedError();
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.closed) {
        this.leave(keys, ticket);
        if (this.closed) throw new TurnQueueClosedError();
        throw new TurnQueueTimeoutError(Date.now() - started);
      }
      await this.sleep(keys.id, Math.min(delay, remaining));
      delay = Math.min(delay * 2, this.pollMaxMs);
    }
  }

  /** Renews the lease while the turn runs, up to maxHoldMs. */
  private keepLease(keys: QueueKeys, ticket: number): NodeJS.Timeout {
    const heldSince = Date.now();
    let warned = false;
    const timer: NodeJS.Timeout = setInterval(() => {
      if (Date.now() - heldSince >= this.maxHoldMs) {
        this.logger.warn({ conversation: keys.id, maxHoldMs: this.maxHoldMs }, 'turn queue: a turn ran longer than maxHoldMs; no longer renewing its lease');
        stop();
        return;
      }
      this.call('rnbotTurnRenew', keys, [ticket, this.leaseMs], 'turn queue renew').then(
        (renewed) => {
          if (Number(renewed) === 1) return;
          this.logger.warn({ conversation: keys.id }, 'turn queue: lease lost (the turn was passed over); a later turn may run concurrently');
          stop();
        },
        (err: Error) => {
          if (!warned) this.logger.warn({ conversation: keys.id, err: err.message }, 'turn queue: could not renew the lease');
          warned = true;
        },
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    timer.unref();
    const stop = () => {
      clearInterval(timer);
      this.renewals.delete(timer);
    };
    this.renewals.add(timer);
    return timer;
  }

  /** Hands the conversation to the next ticket. Never throws: if Redis is unreachable the lease expires instead. */
  private async release(keys: QueueKeys, ticket: number): Promise<void> {
    try {
      const left = Number(await this.call('rnbotTurnLeave', keys, [ticket], 'turn queue release'));
      if (left !== 1) this.logger.warn({ conversation: keys.id }, 'turn queue: the turn ended after its lease was given away');
    } catch (err) {
      this.logger.warn({ conversation: keys.id, err: (err as Error).message }, 'turn queue: could not release; the next turn waits for the lease to expire');
    }
    this.wake(keys.id);
  }

  /** Gives up a waiting ticket (best effort: if this fails, the ticket is dropped when its deadline passes). */
  private leave(keys: QueueKeys, ticket: number): void {
    this.call('rnbotTurnLeave', keys, [ticket], 'turn queue abandon').then(
      () => this.wake(keys.id),
      () => undefined,
    );
  }

  private async call(script: string, keys: QueueKeys, args: (string | number)[], operation: string): Promise<unknown> {
    try {
      return await runScript(this.client, script, [keys.counter, keys.queue, keys.deadlines], args);
    } catch (err) {
      throw new StorageUnavailableError(operation, err);
    }
  }

  private sleep(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let wakers = this.sleepers.get(id);
      if (!wakers) this.sleepers.set(id, (wakers = new Set()));
      const set = wakers;
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.sleepers.get(id) === set) this.sleepers.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private wake(id: string): void {
    const wakers = this.sleepers.get(id);
    if (wakers) for (const wake of [...wakers]) wake();
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`turn queue: ${name} must be a positive number`);
  return value;
}
