/**
 * What the bot answered and what it could not, for the knowledge owner's report, shared by every process.
 *
 * Redis: one sorted set `<prefix>traffic:events`, scored by time (ms), members the events as JSON. Each write drops
 * events older than the retention (TRAFFIC_TTL_SECONDS) and keeps at most MAX_EVENTS; the key itself expires with
 * the retention when traffic stops. Events hold no raw text: the message of an unanswered one is masked by the caller.
 */
import { randomUUID } from 'crypto';
import type { RedisClient } from './redisClient';

export type TrafficKind = 'answer' | 'outOfScope' | 'clarify' | 'lowConfidence' | 'helpful' | 'unhelpful' | 'handoff';

/** Kinds that mean the bot could not answer: their (masked) text is kept and grouped in the report. */
export const UNANSWERED_KINDS: ReadonlySet<TrafficKind> = new Set(['outOfScope', 'clarify', 'lowConfidence', 'unhelpful', 'handoff']);

export interface TrafficEvent {
  at: number;
  kind: TrafficKind;
  lang: 'zh' | 'en';
  /** The entry answered, asked about or marked. */
  entryId?: string;
  score?: number;
  /** The customer's message, certificate numbers masked: on unanswered kinds, and on answers for a later unhelpful mark. */
  text?: string;
  /** Links an unhelpful mark to the answer it marks, so conversation state holds the reference, never the text. */
  ref?: string;
  candidates?: { id: string; score: number }[];
  /** Product context of the conversation (from the host page or the conversation), if known. */
  product?: string;
  channel?: string;
}

export interface TrafficLog {
  record(event: TrafficEvent): Promise<void>;
  /** Events at or after `from` (ms), oldest first. */
  since(from: number): Promise<TrafficEvent[]>;
}

/** Upper bound of events kept, whatever the retention: the report reads them all. */
export const MAX_EVENTS = 200_000;

export class RedisTrafficLog implements TrafficLog {
  private readonly key: string;

  constructor(
    private readonly client: RedisClient,
    keyPrefix: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${keyPrefix}traffic:events`;
  }

  async record(event: TrafficEvent): Promise<void> {
    // A random id keeps two equal events (same second, same entry) apart in the set.
    const member = JSON.stringify({ ...event, id: randomUUID().slice(0, 8) });
    await this.client
      .multi()
      .zadd(this.key, event.at, member)
      .zremrangebyscore(this.key, '-inf', this.now() - this.ttlSeconds * 1000)
      .zremrangebyrank(this.key, 0, -(MAX_EVENTS + 1))
      .expire(this.key, this.ttlSeconds)
      .exec();
  }

  async since(from: number): Promise<TrafficEvent[]> {
    const floor = Math.max(from, this.now() - this.ttlSeconds * 1000);
    const members = await this.client.zrangebyscore(this.key, floor, '+inf');
    return members.map((m) => {
      const { id: _id, ...event } = JSON.parse(m) as TrafficEvent & { id?: string };
      return event;
    });
  }
}

export class MemoryTrafficLog implements TrafficLog {
  private events: TrafficEvent[] = [];

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async record(event: TrafficEvent): Promise<void> {
    const oldest = this.now() - this.ttlSeconds * 1000;
    this.events.push(structuredClone(event));
    if (this.events[0].at < oldest || this.events.length > MAX_EVENTS) {
      this.events = this.events.filter((e) => e.at >= oldest).slice(-MAX_EVENTS);
    }
  }

  async since(from: number): Promise<TrafficEvent[]> {
    const floor = Math.max(from, this.now() - this.ttlSeconds * 1000);
    return this.events.filter((e) => e.at >= floor).sort((a, b) => a.at - b.at).map((e) => structuredClone(e));
  }
}
