/**
 * Idempotent turns: an incoming activity that was seen before is answered once, across every bot process.
 *
 * An activity is known by its channel, conversation and id: the Bot Framework `id`, DingTalk's `msgId` (the
 * DingTalk adapter makes it the activity id), or the client's own id when the client sends one (Web Chat's
 * `channelData.clientActivityID`, which stays the same when Web Chat re-posts a message the channel gives a new id).
 * Each activity has a record (Redis `<prefix>seen:<hash>`, or memory without Redis), with an expiry:
 *   'run'  the turn started and has sent nothing yet;
 *   'done' the turn sent its first reply, or ended.
 * A copy that finds 'done' ends quietly. A copy that finds 'run' runs: the turn queue serializes the turns of a
 * conversation, so the earlier attempt is over, and it ended (crashed, failed) before any reply went out; running
 * it again shows the user nothing twice. 'done' is written before the first reply is sent, so a process killed
 * right after sending can never have its question sent again; the price is that a process killed between the
 * write and the send leaves that one message unanswered (at most once, never twice).
 * With `deliveryMode: expectReplies` the replies travel in the HTTP response: a duplicate request gets an empty
 * list, because the earlier replies are not kept to be replayed.
 */
import { createHash } from 'crypto';
import { LRUCache } from 'lru-cache';
import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import { defineScripts, runScript, silentLogger, StorageUnavailableError, type RedisClient, type StorageLogger } from './redisClient';

export const DEFAULT_DEDUP_TTL_SECONDS = 3600;
/** Records kept in memory without Redis (about 100 bytes each). */
export const MEMORY_DEDUP_MAX_ITEMS = 100_000;

const MAX_ID_LENGTH = 256;
/** Activities that must always run: an invoke expects its own response, typing carries nothing to answer. */
const NOT_DEDUPLICATED = new Set<string>([ActivityTypes.Invoke, ActivityTypes.Typing]);

export interface SeenActivities {
  /** true: run the turn (first copy, or an earlier attempt ended before replying); false: a duplicate. */
  claim(key: string): Promise<boolean>;
  /** The turn replied or ended: every later copy is a duplicate. */
  complete(key: string): Promise<void>;
}

/** The activity's dedup key (a hash: no ids in Redis key names), or undefined when it has no usable id. */
export function activityKeyOf(activity: Partial<Activity>): string | undefined {
  if (typeof activity.type !== 'string' || NOT_DEDUPLICATED.has(activity.type)) return undefined;
  const conversationId = activity.conversation?.id;
  if (typeof conversationId !== 'string') return undefined;
  const clientId = (activity.channelData as { clientActivityID?: unknown } | undefined)?.clientActivityID;
  const id = usable(clientId) ? `client:${clientId}` : usable(activity.id) ? `id:${activity.id}` : undefined;
  if (!id) return undefined;
  const channel = typeof activity.channelId === 'string' ? activity.channelId : '';
  return createHash('sha256').update(`${channel}\u0000${conversationId}\u0000${id}`).digest('hex').slice(0, 32);
}

function usable(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

// KEYS[1] record; ARGV[1] expiry ms. A record that is absent or 'run' is (re)claimed; 'done' is a duplicate.
const CLAIM_LUA = `
local seen = redis.call('GET', KEYS[1])
if seen and seen ~= 'run' then return 0 end
redis.call('SET', KEYS[1], 'run', 'PX', ARGV[1])
return 1
`;

export class RedisSeenActivities implements SeenActivities {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number = DEFAULT_DEDUP_TTL_SECONDS,
  ) {
    defineScripts(client, { rnbotSeenClaim: { lua: CLAIM_LUA, numberOfKeys: 1 } });
  }

  redisKey(key: string): string {
    return `${this.keyPrefix}seen:${key}`;
  }

  async claim(key: string): Promise<boolean> {
    try {
      return Number(await runScript(this.client, 'rnbotSeenClaim', [this.redisKey(key)], [this.ttlSeconds * 1000])) === 1;
    } catch (err) {
      throw new StorageUnavailableError('dedup claim', err);
    }
  }

  async complete(key: string): Promise<void> {
    try {
      await this.client.set(this.redisKey(key), 'done', 'PX', this.ttlSeconds * 1000);
    } catch (err) {
      throw new StorageUnavailableError('dedup complete', err);
    }
  }
}

export class MemorySeenActivities implements SeenActivities {
  private readonly records: LRUCache<string, 'run' | 'done'>;

  constructor(ttlSeconds: number = DEFAULT_DEDUP_TTL_SECONDS, maxItems = MEMORY_DEDUP_MAX_ITEMS) {
    this.records = new LRUCache({ max: maxItems, ttl: ttlSeconds * 1000 });
  }

  async claim(key: string): Promise<boolean> {
    if (this.records.get(key) === 'done') return false;
    this.records.set(key, 'run');
    return true;
  }

  async complete(key: string): Promise<void> {
    this.records.set(key, 'done');
  }
}

/** Ends a duplicate turn before anything runs; put it after the turn queue, before anything that loads state. */
export class DuplicateActivityMiddleware implements Middleware {
  constructor(
    private readonly seen: SeenActivities,
    private readonly logger: StorageLogger = silentLogger,
  ) {}

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const key = activityKeyOf(context.activity);
    if (!key) return next();
    if (!(await this.seen.claim(key))) {
      this.logger.info({ channel: context.activity.channelId, activity: key }, 'duplicate activity: already answered, ignored');
      return;
    }
    let completed: Promise<void> | undefined;
    // Never blocks a reply: if the record cannot be written (storage down), the reply still goes out.
    const complete = () =>
      (completed ??= this.seen.complete(key).catch((err: Error) => this.logger.warn({ err: err.message }, 'dedup: could not record the activity as answered')));
    context.onSendActivities(async (_context, activities, send) => {
      await complete();
      return send();
    });
    await next();
    await complete();
  }
}
