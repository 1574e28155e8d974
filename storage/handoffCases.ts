/**
 * Hand-off cases, in the same storage as conversation state, so that any bot process relays both ways.
 *
 * Redis layout (every key expires with the case; one case's keys share a Cluster hash tag):
 *   <prefix>handoff:seq                 case number counter (INCR)
 *   <prefix>handoff:{c<n>}:case         hash: d = the case as JSON, status, agent (first agent reply, ms), notice (timeout notice sent, ms)
 *   <prefix>handoff:{c<n>}:log          list of transcript lines as JSON, masked, newest last, capped
 *   <prefix>handoff:conv:<sha256>       the open case number of a conversation (the id hashed: no ids in key names)
 * A status change is a compare-and-set (one Lua script), so that a case is closed, joined or timed out exactly once
 * even when two processes see the same event.
 */
import { createHash } from 'crypto';
import type { ConversationReference } from 'botbuilder';
import { defineScripts, runScript, type RedisClient } from './redisClient';

export type CaseSpeaker = 'customer' | 'bot' | 'agent';

/** One transcript line: text already masked (certificate numbers) by the caller. */
export interface CaseLine {
  from: CaseSpeaker;
  text: string;
  at: number;
}

/** What a case carries, fixed when it opens. Details are display strings of the collected details, masked. */
export interface CaseData {
  conversationKey: string;
  reference: Partial<ConversationReference>;
  /** DingTalk customers are reached through their session webhook while it is valid. */
  dingTalkSession?: { sessionWebhook: string; sessionWebhookExpiredTime: number };
  lang: 'zh' | 'en';
  entryId?: string;
  details: Record<string, string>;
  openedAt: number;
}

export interface HandoffCase extends CaseData {
  number: number;
  status: 'open' | 'closed';
  /** When an agent first answered (ms), if one did. */
  agentAt?: number;
  /** When the customer was told that no agent answered in time (ms), if they were. */
  noticeAt?: number;
}

/** Fields that change once, by compare-and-set. */
export type CaseMark = 'closed' | 'agent' | 'notice';

export interface CaseStore {
  open(data: CaseData): Promise<HandoffCase>;
  get(number: number): Promise<HandoffCase | undefined>;
  /** The open case of a conversation, if any. */
  openFor(conversationKey: string): Promise<HandoffCase | undefined>;
  /** Sets a mark if it was not set yet; true only for the caller that set it. Closing also frees the conversation. */
  mark(number: number, mark: CaseMark, at: number): Promise<boolean>;
  append(number: number, line: CaseLine): Promise<void>;
  lines(number: number): Promise<CaseLine[]>;
}

/** Transcript lines kept per case: enough for the agent to read back, bounded for storage. */
export const MAX_CASE_LINES = 50;

// KEYS[1] case hash; ARGV[1] field, ARGV[2] value. Sets the field only if the case exists and the field is unset.
const MARK_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;
const MARK_SCRIPT = 'rnbotHandoffMark';

function hashed(conversationKey: string): string {
  return createHash('sha256').update(conversationKey).digest('hex').slice(0, 32);
}

export class RedisCaseStore implements CaseStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {
    defineScripts(client, { [MARK_SCRIPT]: { lua: MARK_LUA, numberOfKeys: 1 } });
  }

  private caseKey(n: number): string {
    return `${this.keyPrefix}handoff:{c${n}}:case`;
  }

  private logKey(n: number): string {
    return `${this.keyPrefix}handoff:{c${n}}:log`;
  }

  private convKey(conversationKey: string): string {
    return `${this.keyPrefix}handoff:conv:${hashed(conversationKey)}`;
  }

  async open(data: CaseData): Promise<HandoffCase> {
    const number = await this.client.incr(`${this.keyPrefix}handoff:seq`);
    const key = this.caseKey(number);
    await this.client.multi().hset(key, 'd', JSON.stringify(data)).expire(key, this.ttlSeconds).exec();
    await this.client.set(this.convKey(data.conversationKey), String(number), 'EX', this.ttlSeconds);
    return { ...data, number, status: 'open' };
  }

  async get(number: number): Promise<HandoffCase | undefined> {
    const row = await this.client.hgetall(this.caseKey(number));
    if (!row.d) return undefined;
    return {
      ...(JSON.parse(row.d) as CaseData),
      number,
      status: row.closed ? 'closed' : 'open',
      agentAt: row.agent ? Number(row.agent) : undefined,
      noticeAt: row.notice ? Number(row.notice) : undefined,
    };
  }

  async openFor(conversationKey: string): Promise<HandoffCase | undefined> {
    const number = Number(await this.client.get(this.convKey(conversationKey)));
    if (!Number.isSafeInteger(number) || number <= 0) return undefined;
    const found = await this.get(number);
    return found?.status === 'open' ? found : undefined;
  }

  async mark(number: number, mark: CaseMark, at: number): Promise<boolean> {
    const set = (await runScript(this.client, MARK_SCRIPT, [this.caseKey(number)], [mark, at])) === 1;
    if (set && mark === 'closed') {
      const found = await this.get(number);
      const key = found && this.convKey(found.conversationKey);
      // Only this case's own pointer: the conversation may have opened a newer case meanwhile.
      if (key && Number(await this.client.get(key)) === number) await this.client.del(key);
    }
    return set;
  }

  async append(number: number, line: CaseLine): Promise<void> {
    const key = this.logKey(number);
    await this.client.multi().rpush(key, JSON.stringify(line)).ltrim(key, -MAX_CASE_LINES, -1).expire(key, this.ttlSeconds).exec();
  }

  async lines(number: number): Promise<CaseLine[]> {
    return (await this.client.lrange(this.logKey(number), 0, -1)).map((l) => JSON.parse(l) as CaseLine);
  }
}

/** The same contract in one process (no REDIS_URL), with expiry checked on read. */
export class MemoryCaseStore implements CaseStore {
  private sequence = 0;
  private readonly cases = new Map<number, { value: HandoffCase; lines: CaseLine[]; expires: number }>();
  private readonly conversations = new Map<string, number>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  private live(number: number) {
    const item = this.cases.get(number);
    if (item && item.expires <= this.now()) {
      this.cases.delete(number);
      if (this.conversations.get(item.value.conversationKey) === number) this.conversations.delete(item.value.conversationKey);
      return undefined;
    }
    return item;
  }

  async open(data: CaseData): Promise<HandoffCase> {
    for (const n of this.cases.keys()) this.live(n); // expire old cases as new ones open
    const value: HandoffCase = { ...structuredClone(data), number: ++this.sequence, status: 'open' };
    this.cases.set(value.number, { value, lines: [], expires: this.now() + this.ttlSeconds * 1000 });
    this.conversations.set(data.conversationKey, value.number);
    return structuredClone(value);
  }

  async get(number: number): Promise<HandoffCase | undefined> {
    const item = this.live(number);
    return item ? structuredClone(item.value) : undefined;
  }

  async openFor(conversationKey: string): Promise<HandoffCase | undefined> {
    const number = this.conversations.get(conversationKey);
    const found = number === undefined ? undefined : await this.get(number);
    return found?.status === 'open' ? found : undefined;
  }

  async mark(number: number, mark: CaseMark, at: number): Promise<boolean> {
    const item = this.live(number);
    if (!item) return false;
    const v = item.value;
    if (mark === 'closed') {
      if (v.status === 'closed') return false;
      v.status = 'closed';
      if (this.conversations.get(v.conversationKey) === number) this.conversations.delete(v.conversationKey);
    } else if (mark === 'agent') {
      if (v.agentAt !== undefined) return false;
      v.agentAt = at;
    } else {
      if (v.noticeAt !== undefined) return false;
      v.noticeAt = at;
    }
    return true;
  }

  async append(number: number, line: CaseLine): Promise<void> {
    const item = this.live(number);
    if (!item) return;
    item.lines.push({ ...line });
    if (item.lines.length > MAX_CASE_LINES) item.lines.splice(0, item.lines.length - MAX_CASE_LINES);
  }

  async lines(number: number): Promise<CaseLine[]> {
    return structuredClone(this.live(number)?.lines ?? []);
  }
}
