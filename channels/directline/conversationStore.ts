import type { Activity } from 'botbuilder';

/** What the service pushes on a stream and returns from GET …/activities. */
export interface ActivitySet {
  activities: Partial<Activity>[];
  watermark: string;
}

export interface StoreLimits {
  /** Activities kept per conversation; older ones are dropped first (default 500). */
  maxActivities: number;
  /** A conversation with no request and no open stream for this long is forgotten (default 60 min). */
  idleMs: number;
  /** Conversations kept in memory; beyond it the least recently active is forgotten (default 10,000). */
  maxConversations: number;
}

export const DEFAULT_LIMITS: StoreLimits = { maxActivities: 500, idleMs: 60 * 60 * 1000, maxConversations: 10_000 };

interface Entry {
  seq: number;
  activity: Partial<Activity>;
}

/** A listener on a conversation: an open WebSocket stream. */
export interface Subscriber {
  push(set: ActivitySet): void;
  /** The conversation was forgotten or the service is shutting down. */
  end(reason: string): void;
}

export class Conversation {
  readonly entries: Entry[] = [];
  readonly subscribers = new Set<Subscriber>();
  lastSeq = 0;
  lastActive: number;

  constructor(
    readonly id: string,
    readonly user: { id: string; name?: string },
    readonly locale: string | undefined,
    now: number,
  ) {
    this.lastActive = now;
  }

  get watermark(): string {
    return String(this.lastSeq);
  }
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
 * Transcripts in memory, one per conversation. Every activity gets a sequence number; the watermark is the last one a
 * reader has seen, so GET …/activities?watermark=N and a stream opened with ?watermark=N both resume right after it.
 * Memory is bounded: maxActivities per conversation, idle conversations are swept, and at most maxConversations are kept.
 * The transcript is per process: several instances need sticky sessions (or Azure Direct Line) — see README.md.
 */
export class ConversationStore {
  private readonly conversations = new Map<string, Conversation>();

  constructor(
    readonly limits: StoreLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.conversations.size;
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /** The conversation, marked as active now (and so last in eviction order). */
  touch(id: string): Conversation | undefined {
    const conversation = this.conversations.get(id);
    if (!conversation) return undefined;
    conversation.lastActive = this.now();
    this.conversations.delete(id);
    this.conversations.set(id, conversation);
    return conversation;
  }

  /** Returns the conversation and whether it was created by this call. */
  open(id: string, user: { id: string; name?: string }, locale: string | undefined): { conversation: Conversation; created: boolean } {
    const existing = this.touch(id);
    if (existing) return { conversation: existing, created: false };
    while (this.conversations.size >= this.limits.maxConversations) {
      const oldest = this.conversations.keys().next().value as string;
      this.forget(oldest, 'evicted: too many conversations');
    }
    const conversation = new Conversation(id, user, locale, this.now());
    this.conversations.set(id, conversation);
    return { conversation, created: true };
  }

  /** Appends an activity (its id is assigned here unless it has one) and pushes it to open streams. */
  append(conversationId: string, activity: Partial<Activity>): Partial<Activity> {
    const conversation = this.require(conversationId);
    const seq = ++conversation.lastSeq;
    const stored: Partial<Activity> = { ...activity, id: activity.id ?? `${conversationId}|${String(seq).padStart(7, '0')}` };
    conversation.entries.push({ seq, activity: stored });
    if (conversation.entries.length > this.limits.maxActivities) conversation.entries.splice(0, conversation.entries.length - this.limits.maxActivities);
    const set: ActivitySet = { activities: [stored], watermark: conversation.watermark };
    for (const subscriber of conversation.subscribers) subscriber.push(set);
    return stored;
  }

  /**
   * Replaces an activity. The new version gets a new sequence number, so readers past the old one receive it again
   * with the same id (Web Chat replaces the message it shows).
   */
  update(conversationId: string, activity: Partial<Activity>): Partial<Activity> {
    const conversation = this.require(conversationId);
    const index = conversation.entries.findIndex((e) => e.activity.id === activity.id);
    if (index < 0 || !activity.id) throw new ActivityNotFoundError(String(activity.id));
    const [old] = conversation.entries.splice(index, 1);
    return this.append(conversationId, { ...activity, timestamp: old.activity.timestamp });
  }

  /**
   * Deletes an activity: it leaves the transcript and a messageDelete activity with its id takes its place, so readers
   * past the old one learn about it (Web Chat replaces the message with it and, not rendering that type, stops showing it).
   */
  delete(conversationId: string, activityId: string): void {
    const conversation = this.require(conversationId);
    const index = conversation.entries.findIndex((e) => e.activity.id === activityId);
    if (index < 0) throw new ActivityNotFoundError(activityId);
    const [old] = conversation.entries.splice(index, 1);
    this.append(conversationId, {
      type: 'messageDelete',
      id: activityId,
      channelId: old.activity.channelId,
      conversation: old.activity.conversation,
      from: old.activity.from,
      timestamp: old.activity.timestamp,
    });
  }

  /** Activities after a watermark ('' or absent: everything still kept). */
  after(conversationId: string, watermark: number | undefined): ActivitySet {
    const conversation = this.require(conversationId);
    const from = watermark ?? 0;
    return { activities: conversation.entries.filter((e) => e.seq > from).map((e) => e.activity), watermark: conversation.watermark };
  }

  subscribe(conversationId: string, subscriber: Subscriber): () => void {
    const conversation = this.require(conversationId);
    conversation.subscribers.add(subscriber);
    return () => {
      conversation.subscribers.delete(subscriber);
      conversation.lastActive = this.now();
    };
  }

  /** Forgets conversations idle for limits.idleMs with no open stream; returns how many. */
  sweep(): number {
    const cutoff = this.now() - this.limits.idleMs;
    let forgotten = 0;
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.subscribers.size === 0 && conversation.lastActive <= cutoff) {
        this.forget(conversation.id, 'idle');
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

  clear(reason: string): void {
    for (const id of [...this.conversations.keys()]) this.forget(id, reason);
  }

  private require(id: string): Conversation {
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
