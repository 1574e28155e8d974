import { randomBytes } from 'crypto';
import type { Activity } from 'botbuilder';

/** What the service pushes on a stream and returns from GET …/activities. */
export interface ActivitySet {
  activities: Partial<Activity>[];
  watermark: string;
}

export interface StoreLimits {
  /** Activities kept per conversation; older ones are dropped first (default 500). */
  maxActivities: number;
  /** A conversation with no activity for this long is forgotten (default STATE_TTL_SECONDS, 24 hours; 0 = never). */
  idleMs: number;
  /** Conversations kept in memory (memory store only); beyond it the least recently active is forgotten (default 10,000). */
  maxConversations: number;
}

export const DEFAULT_LIMITS: StoreLimits = { maxActivities: 500, idleMs: 24 * 60 * 60 * 1000, maxConversations: 10_000 };

/** Who a conversation belongs to and its start locale: what the service needs to stamp inbound activities. */
export interface ConversationInfo {
  id: string;
  user: { id: string; name?: string };
  locale?: string;
}

/** A listener on a conversation: an open WebSocket stream. */
export interface Subscriber {
  push(set: ActivitySet): void;
  /** The conversation was forgotten or the service is shutting down. */
  end(reason: string): void;
  /** Pushes may have been missed (the pub/sub connection dropped): read again from the last watermark sent. */
  resync(): void;
}

export class ConversationNotFoundError extends Error {
  constructor(id: string) {
    super(`conversation ${id} not found`);
    this.name = 'ConversationNotFoundError';
  }
}

export class ActivityNotFoundError extends Error {
  constructor(id: string) {
    super(`activity ${id} not found`);
    this.name = 'ActivityNotFoundError';
  }
}

/**
 * The Direct Line conversations: transcripts with watermarks, open streams, and the key tokens are signed with.
 * Every activity gets a sequence number; the watermark is the last one a reader has seen, so GET …/activities?watermark=N
 * and a stream opened with ?watermark=N both resume right after it. An update gets a new number (readers past the old
 * version receive it again with the same id); a delete leaves a messageDelete activity with its id in its place.
 * MemoryConversationStore serves one process; RedisConversationStore shares all of it between processes and restarts.
 */
export interface ConversationStore {
  /** Returns the conversation and whether it was created by this call. */
  open(info: ConversationInfo): Promise<{ conversation: ConversationInfo; created: boolean }>;
  /** The conversation (its expiry renewed), or undefined when it never existed or was forgotten. */
  touch(id: string): Promise<ConversationInfo | undefined>;
  /**
   * Appends an activity (its id is `<conversation>|<7-digit sequence>` unless it has one) and pushes it to every stream.
   * With `once`, an activity whose id is already kept is not appended again: the kept one is returned (a client's retry).
   */
  append(conversationId: string, activity: Partial<Activity>, options?: { once?: boolean }): Promise<Partial<Activity>>;
  update(conversationId: string, activity: Partial<Activity>): Promise<Partial<Activity>>;
  delete(conversationId: string, activityId: string): Promise<void>;
  /** Activities after a watermark (absent: everything still kept). */
  after(conversationId: string, watermark: number | undefined): Promise<ActivitySet>;
  /** Starts pushing the conversation's new activities to the subscriber; resolves once no push can be missed. */
  subscribe(conversationId: string, subscriber: Subscriber): Promise<() => void>;
  /** The token signing key shared by every process on this store (created on first use). */
  signingKey(): Promise<Buffer>;
  /** Ends every stream of this process and releases connections. */
  close(reason: string): Promise<void>;
}

export function sequenceId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

export function deletionOf(old: Partial<Activity>): Partial<Activity> {
  return { type: 'messageDelete', id: old.id, channelId: old.channelId, conversation: old.conversation, from: old.from, timestamp: old.timestamp };
}

interface Entry {
  seq: number;
  activity: Partial<Activity>;
}

class MemoryConversation {
  readonly entries: Entry[] = [];
  readonly subscribers = new Set<Subscriber>();
  lastSeq = 0;

  constructor(
    readonly info: ConversationInfo,
    public lastActive: number,
  ) {}
}

/**
 * Conversations in this process's memory (no REDIS_URL): bounded by maxActivities per conversation and
 * maxConversations, forgotten after idleMs without activity and without an open stream. A restart forgets them all.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly conversations = new Map<string, MemoryConversation>();
  private readonly key = randomBytes(32);

  constructor(
    readonly limits: StoreLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.conversations.size;
  }

  async open(info: ConversationInfo): Promise<{ conversation: ConversationInfo; created: boolean }> {
    const existing = this.live(info.id);
    if (existing) return { conversation: existing.info, created: false };
    while (this.conversations.size >= this.limits.maxConversations) {
      this.forget(this.conversations.keys().next().value as string, 'evicted: too many conversations');
    }
    const conversation = new MemoryConversation(info, this.now());
    this.conversations.set(info.id, conversation);
    return { conversation: info, created: true };
  }

  async touch(id: string): Promise<ConversationInfo | undefined> {
    return this.live(id)?.info;
  }

  async append(conversationId: string, activity: Partial<Activity>, options: { once?: boolean } = {}): Promise<Partial<Activity>> {
    const conversation = this.require(conversationId);
    const kept = options.once && activity.id ? conversation.entries.find((e) => e.activity.id === activity.id) : undefined;
    return kept ? kept.activity : this.appendTo(conversation, activity);
  }

  async update(conversationId: string, activity: Partial<Activity>): Promise<Partial<Activity>> {
    const conversation = this.require(conversationId);
    const index = conversation.entries.findIndex((e) => e.activity.id === activity.id);
    if (index < 0 || !activity.id) throw new ActivityNotFoundError(String(activity.id));
    const [old] = conversation.entries.splice(index, 1);
    return this.appendTo(conversation, { ...activity, timestamp: old.activity.timestamp });
  }

  async delete(conversationId: string, activityId: string): Promise<void> {
    const conversation = this.require(conversationId);
    const index = conversation.entries.findIndex((e) => e.activity.id === activityId);
    if (index < 0) throw new ActivityNotFoundError(activityId);
    const [old] = conversation.entries.splice(index, 1);
    this.appendTo(conversation, deletionOf(old.activity));
  }

  async after(conversationId: string, watermark: number | undefined): Promise<ActivitySet> {
    const conversation = this.require(conversationId);
    const from = watermark ?? 0;
    return { activities: conversation.entries.filter((e) => e.seq > from).map((e) => e.activity), watermark: String(conversation.lastSeq) };
  }

  async subscribe(conversationId: string, subscriber: Subscriber): Promise<() => void> {
    const conversation = this.require(conversationId);
    conversation.subscribers.add(subscriber);
    return () => {
      conversation.subscribers.delete(subscriber);
      conversation.lastActive = this.now();
    };
  }

  async signingKey(): Promise<Buffer> {
    return this.key;
  }

  /** Forgets conversations idle for limits.idleMs with no open stream; returns how many. */
  sweep(): number {
    if (!this.limits.idleMs) return 0;
    const cutoff = this.now() - this.limits.idleMs;
    let forgotten = 0;
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.subscribers.size === 0 && conversation.lastActive <= cutoff) {
        this.forget(conversation.info.id, 'idle');
        forgotten++;
      }
    }
    return forgotten;
  }

  forget(id: string, reason: string): void {
    const conversation = this.conversations.get(id);
    if (!conversation) return;
    this.conversations.delete(id);
    for (const subscriber of [...conversation.subscribers]) subscriber.end(reason);
    conversation.subscribers.clear();
  }

  async close(reason: string): Promise<void> {
    for (const id of [...this.conversations.keys()]) this.forget(id, reason);
  }

  private appendTo(conversation: MemoryConversation, activity: Partial<Activity>): Partial<Activity> {
    const seq = ++conversation.lastSeq;
    const stored: Partial<Activity> = { ...activity, id: activity.id ?? sequenceId(conversation.info.id, seq) };
    conversation.entries.push({ seq, activity: stored });
    if (conversation.entries.length > this.limits.maxActivities) conversation.entries.splice(0, conversation.entries.length - this.limits.maxActivities);
    conversation.lastActive = this.now();
    const set: ActivitySet = { activities: [stored], watermark: String(seq) };
    for (const subscriber of conversation.subscribers) subscriber.push(set);
    return stored;
  }

  /** The conversation, marked as active now (and so last in eviction order). */
  private live(id: string): MemoryConversation | undefined {
    const conversation = this.conversations.get(id);
    if (!conversation) return undefined;
    conversation.lastActive = this.now();
    this.conversations.delete(id);
    this.conversations.set(id, conversation);
    return conversation;
  }

  private require(id: string): MemoryConversation {
    const conversation = this.conversations.get(id);
    if (!conversation) throw new ConversationNotFoundError(id);
    return conversation;
  }
}

/** Parses a watermark query value: '' or absent means "from the start"; anything but a non-negative integer is refused. */
export function parseWatermark(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}
