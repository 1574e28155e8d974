import { randomBytes } from 'crypto';
import type { Activity } from 'botbuilder';
import { defineScripts, runScript, StorageUnavailableError, type RedisClient } from '../../storage/redisClient';
import {
  ActivityNotFoundError,
  ConversationNotFoundError,
  deletionOf,
  type ActivitySet,
  type ConversationInfo,
  type ConversationStore,
  type Subscriber,
} from './conversationStore';

export interface RedisConversationStoreOptions {
  keyPrefix: string;
  /** Expiry of a conversation after its last activity or request (STATE_TTL_SECONDS); 0 = never. */
  ttlSeconds: number;
  maxActivities: number;
}

/*
 * Per conversation, in one hash slot ({id}) so that scripts work on Redis Cluster:
 *   …:info  JSON { id, user, locale }        …:seq  last sequence number
 *   …:log   sorted set: activity id → seq     …:acts hash: activity id → activity JSON
 * An update or a delete replaces the activity under its id with a new sequence number, so a reader past the old
 * version gets the new one (or the messageDelete) again. Every append is published on …:push as "<seq>\n<json>".
 */
const SCRIPTS = {
  dlAppend: {
    numberOfKeys: 4,
    // KEYS info seq log acts; ARGV json, id ('' = assign one), conversation id, max activities, ttl, channel, once ('1': keep a kept id)
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[7] == '1' and ARGV[2] ~= '' then
  local kept = redis.call('HGET', KEYS[4], ARGV[2])
  if kept then return kept end
end
local seq = redis.call('INCR', KEYS[2])
local id = ARGV[2]
local json = ARGV[1]
if id == '' then
  id = ARGV[3] .. '|' .. string.format('%07d', seq)
  -- prepended rather than decoded and re-encoded: cjson turns an empty list ([]) into an object ({})
  json = '{"id":' .. cjson.encode(id) .. ',' .. string.sub(json, 2)
end
redis.call('ZADD', KEYS[3], seq, id)
redis.call('HSET', KEYS[4], id, json)
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if excess > 0 then
  local dropped = redis.call('ZRANGE', KEYS[3], 0, excess - 1)
  redis.call('ZREM', KEYS[3], unpack(dropped))
  redis.call('HDEL', KEYS[4], unpack(dropped))
end
local ttl = tonumber(ARGV[5])
if ttl > 0 then for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end end
redis.call('PUBLISH', ARGV[6], seq .. '\\n' .. json)
return json`,
  },
  dlAfter: {
    numberOfKeys: 4,
    // KEYS info seq log acts; ARGV watermark, ttl → false, or { last seq, json, json, … }
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf')
local out = { redis.call('GET', KEYS[2]) or '0' }
if #ids > 0 then
  local acts = redis.call('HMGET', KEYS[4], unpack(ids))
  for i = 1, #acts do if acts[i] then out[#out + 1] = acts[i] end end
end
local ttl = tonumber(ARGV[2])
if ttl > 0 then for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end end
return out`,
  },
  dlTouch: {
    numberOfKeys: 4,
    // KEYS info seq log acts; ARGV ttl → the info JSON or false
    lua: `
local info = redis.call('GET', KEYS[1])
if not info then return false end
local ttl = tonumber(ARGV[1])
if ttl > 0 then for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end end
return info`,
  },
};

/**
 * Direct Line conversations in the bot's Redis: transcripts, expiry and the token signing key outlive a restart and are
 * shared by every instance. New activities reach streams held by any instance through pub/sub on a duplicated
 * connection (a subscribed connection can run no other command); after that connection drops, streams read again.
 */
export class RedisConversationStore implements ConversationStore {
  private readonly subscriberClient: RedisClient;
  private readonly local = new Map<string, Set<Subscriber>>();
  private readonly subscriptions = new Map<string, Promise<unknown>>();
  private wasReady = false;

  constructor(
    private readonly client: RedisClient,
    private readonly options: RedisConversationStoreOptions,
  ) {
    defineScripts(client, SCRIPTS);
    this.subscriberClient = (client as unknown as { duplicate(): RedisClient }).duplicate();
    this.subscriberClient.on('error', () => undefined); // outages surface as failed subscribes and a resync on 'ready'
    this.subscriberClient.on('ready', () => {
      if (this.wasReady) for (const subscribers of this.local.values()) for (const s of subscribers) s.resync();
      this.wasReady = true;
    });
    this.subscriberClient.on('message', (channel: string, message: string) => this.deliver(channel, message));
  }

  async open(info: ConversationInfo): Promise<{ conversation: ConversationInfo; created: boolean }> {
    const json = JSON.stringify({ id: info.id, user: info.user, locale: info.locale });
    const ttl = this.options.ttlSeconds;
    const created = await this.run('open', () => (ttl > 0 ? this.client.set(this.key(info.id, 'info'), json, 'EX', ttl, 'NX') : this.client.set(this.key(info.id, 'info'), json, 'NX')));
    if (created === 'OK') return { conversation: info, created: true };
    const existing = await this.touch(info.id);
    if (!existing) throw new ConversationNotFoundError(info.id);
    return { conversation: existing, created: false };
  }

  async touch(id: string): Promise<ConversationInfo | undefined> {
    const info = (await this.run('touch', () => runScript(this.client, 'dlTouch', this.keys(id), [this.options.ttlSeconds]))) as string | null;
    return info ? (JSON.parse(info) as ConversationInfo) : undefined;
  }

  async append(conversationId: string, activity: Partial<Activity>, options: { once?: boolean } = {}): Promise<Partial<Activity>> {
    const { id, ...rest } = activity;
    return this.write(conversationId, typeof id === 'string' && id ? { ...rest, id } : rest, options.once);
  }

  async update(conversationId: string, activity: Partial<Activity>): Promise<Partial<Activity>> {
    if (!activity.id) throw new ActivityNotFoundError('undefined');
    const old = await this.stored(conversationId, activity.id);
    return this.write(conversationId, { ...activity, timestamp: old.timestamp });
  }

  async delete(conversationId: string, activityId: string): Promise<void> {
    await this.write(conversationId, deletionOf(await this.stored(conversationId, activityId)));
  }

  async after(conversationId: string, watermark: number | undefined): Promise<ActivitySet> {
    const out = (await this.run('read', () => runScript(this.client, 'dlAfter', this.keys(conversationId), [watermark ?? 0, this.options.ttlSeconds]))) as string[] | null;
    if (!out) throw new ConversationNotFoundError(conversationId);
    const [last, ...activities] = out;
    return { activities: activities.map((json) => JSON.parse(json) as Partial<Activity>), watermark: String(last) };
  }

  async subscribe(conversationId: string, subscriber: Subscriber): Promise<() => void> {
    const channel = this.key(conversationId, 'push');
    let subscribers = this.local.get(channel);
    if (!subscribers) {
      subscribers = new Set();
      this.local.set(channel, subscribers);
    }
    subscribers.add(subscriber);
    const unsubscribe = () => {
      const set = this.local.get(channel);
      if (!set?.delete(subscriber) || set.size) return;
      this.local.delete(channel);
      this.subscriptions.delete(channel);
      this.subscriberClient.unsubscribe(channel).catch(() => undefined);
    };
    let subscription = this.subscriptions.get(channel);
    if (!subscription) {
      subscription = this.whenSubscriberReady().then(() => this.subscriberClient.subscribe(channel));
      this.subscriptions.set(channel, subscription);
    }
    try {
      await subscription;
    } catch (err) {
      if (this.subscriptions.get(channel) === subscription) this.subscriptions.delete(channel);
      unsubscribe();
      throw new StorageUnavailableError('subscribe', err);
    }
    return unsubscribe;
  }

  async signingKey(): Promise<Buffer> {
    const key = this.options.keyPrefix + 'dl:signing-key';
    const value = await this.run('signing key', async () => {
      await this.client.set(key, randomBytes(32).toString('base64'), 'NX');
      return this.client.get(key);
    });
    if (!value) throw new StorageUnavailableError('signing key', new Error('no key stored'));
    return Buffer.from(value, 'base64');
  }

  async close(reason: string): Promise<void> {
    for (const subscribers of this.local.values()) for (const s of [...subscribers]) s.end(reason);
    this.local.clear();
    this.subscriptions.clear();
    this.subscriberClient.disconnect();
  }

  private async write(conversationId: string, activity: Partial<Activity>, once = false): Promise<Partial<Activity>> {
    const args = [JSON.stringify(activity), activity.id ?? '', conversationId, this.options.maxActivities, this.options.ttlSeconds, this.key(conversationId, 'push'), once ? '1' : '0'];
    const json = (await this.run('append', () => runScript(this.client, 'dlAppend', this.keys(conversationId), args))) as string | null;
    if (!json) throw new ConversationNotFoundError(conversationId);
    return JSON.parse(json) as Partial<Activity>;
  }

  private async stored(conversationId: string, activityId: string): Promise<Partial<Activity>> {
    const json = await this.run('read', () => this.client.hget(this.key(conversationId, 'acts'), activityId));
    if (!json) throw new ActivityNotFoundError(activityId);
    return JSON.parse(json) as Partial<Activity>;
  }

  private deliver(channel: string, message: string): void {
    const subscribers = this.local.get(channel);
    if (!subscribers) return;
    const newline = message.indexOf('\n');
    const set: ActivitySet = { activities: [JSON.parse(message.slice(newline + 1)) as Partial<Activity>], watermark: message.slice(0, newline) };
    for (const subscriber of subscribers) subscriber.push(set);
  }

  private whenSubscriberReady(ms = 1000): Promise<void> {
    if (this.subscriberClient.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.subscriberClient.off('ready', onReady);
        reject(new Error('Redis subscriber connection not ready'));
      }, ms);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.subscriberClient.once('ready', onReady);
    });
  }

  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new StorageUnavailableError(`Direct Line ${operation}`, err);
    }
  }

  private key(conversationId: string, part: string): string {
    return `${this.options.keyPrefix}dl:{${conversationId}}:${part}`;
  }

  private keys(conversationId: string): string[] {
    return ['info', 'seq', 'log', 'acts'].map((part) => this.key(conversationId, part));
  }
}
