/**
 * Plays blind multi-turn conversations (test/conversations/blind*\/*.yaml, schema blind.schema.json) over
 * POST /api/messages with deliveryMode expectReplies, as a user would: one conversation id each, the next message
 * chosen by the question the bot asked, each turn's replies checked against what the seeds say must hold.
 */
import { readFileSync } from 'fs';
import { randomUUID } from 'crypto';
import Ajv from 'ajv';
import { parse } from 'yaml';
import * as OpenCC from 'opencc-js';
import { today as chinaToday } from '../../config/clock';
import { fromRoot } from '../../config/paths';

export type Pattern = string | { re: string } | { any: Pattern[] };

export interface Expect {
  intent?: string | string[];
  slot?: string | string[];
  notSlot?: string[];
  candidates?: string[];
  has?: Pattern[];
  hasNot?: Pattern[];
  handoff?: boolean;
  anyOf?: Expect[];
}

export interface Turn {
  say?: string;
  answer?: Record<string, string | null>;
  expect: Expect;
}

export interface Conversation {
  id: string;
  lang: 'zh' | 'zh-Hant' | 'en';
  product: string;
  covers: string[];
  note?: string;
  turns: Turn[];
  /** The file it came from (set by the loader). */
  file?: string;
}

export interface Reply {
  text: string;
  intent?: string;
  slot?: string;
  candidates: string[];
  handoff: boolean;
}

export interface TurnRecord {
  sent?: string;
  replies: Reply[];
  failures: string[];
}

export interface ConversationResult {
  id: string;
  file?: string;
  passed: boolean;
  /** 1-based index of the first failing turn. */
  failedTurn?: number;
  reason?: string;
  turns: TurnRecord[];
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_SHORT = MONTHS.map((m) => m.slice(0, 3));
const DAY_MS = 86_400_000;
const PLACEHOLDER = /\{date:([+-]?\d+)(?::([a-z]+))?\}/g;

// ---------- loading ----------

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown, file: string): void {
  validator ??= new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(fromRoot('test', 'conversations', 'blind.schema.json'), 'utf8')));
  if (!validator(data)) {
    const errors = (validator.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new Error(`${file} does not match blind.schema.json: ${errors.join('; ')}`);
  }
}

/** Reads and validates conversation files; ids must be unique across them. */
export function loadConversations(files: string[]): Conversation[] {
  const out: Conversation[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    let data: unknown;
    try {
      data = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    validate(data, file);
    for (const conversation of (data as { conversations: Conversation[] }).conversations) {
      const earlier = seen.get(conversation.id);
      if (earlier) throw new Error(`conversation id ${conversation.id} is in ${earlier} and ${file}`);
      seen.set(conversation.id, file);
      if (conversation.turns[0].answer) throw new Error(`${conversation.id}: the first turn has no question to answer`);
      out.push({ ...conversation, file });
    }
  }
  return out;
}

// ---------- dates ----------

function shift(todayIso: string, days: number): Date {
  const [y, m, d] = todayIso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
}

/** A date as a user types it: in the conversation's language, or in the form given. */
export function renderDate(date: Date, lang: Conversation['lang'], form?: string): string {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  const p2 = (n: number) => String(n).padStart(2, '0');
  switch (form) {
    case 'iso':
      return `${y}-${p2(m)}-${p2(d)}`;
    case 'slash':
      return `${y}/${m}/${d}`;
    case 'dot':
      return `${y}.${m}.${d}`;
    case 'md':
      return lang === 'en' ? `${MONTHS_SHORT[m - 1]} ${d}` : `${m}月${d}号`;
    case 'mdzh':
      return `${m}月${d}日`;
    case undefined:
      return lang === 'en' ? `${MONTHS[m - 1]} ${d}, ${y}` : `${y}年${m}月${d}日`;
    default:
      throw new Error(`unknown date form ${form}`);
  }
}

/** A regular expression matching the date as answers may write it (over normalized, lower-cased text). */
function dateRegex(date: Date): string {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const d = date.getUTCDate();
  const p2 = (n: number) => String(n).padStart(2, '0');
  return (
    `(?:${y}年0?${m}月0?${d}日|${y}-${p2(m)}-${p2(d)}|${y}/0?${m}/0?${d}(?!\\d)|` +
    `${MONTHS[m - 1].toLowerCase()} 0?${d},? ${y}|(?<![\\d年])0?${m}月0?${d}[日号](?!\\d))`
  );
}

export function renderText(text: string, lang: Conversation['lang'], todayIso: string): string {
  return text.replace(PLACEHOLDER, (_all, offset: string, form?: string) => renderDate(shift(todayIso, Number(offset)), lang, form));
}

// ---------- matching ----------

const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

/** What patterns are matched against: NFKC (full-width forms folded), simplified Chinese, lower case, single spaces. */
export function normalize(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase().replace(/\*\*/g, '').replace(/\s+/g, ' ');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A string pattern as a regex: literal, normalized like the text, with {date:N} matching any written form. */
function stringRegex(pattern: string, todayIso: string): RegExp {
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    source += escapeRegex(normalize(pattern.slice(last, m.index)));
    source += dateRegex(shift(todayIso, Number(m[1])));
    last = (m.index ?? 0) + m[0].length;
  }
  source += escapeRegex(normalize(pattern.slice(last)));
  return new RegExp(source, 'iu');
}

export function matches(pattern: Pattern, text: string, todayIso: string): boolean {
  if (typeof pattern === 'string') return stringRegex(pattern, todayIso).test(text);
  if ('re' in pattern) return new RegExp(pattern.re, 'iu').test(text);
  return pattern.any.some((p) => matches(p, text, todayIso));
}

function describe(pattern: Pattern): string {
  if (typeof pattern === 'string') return JSON.stringify(pattern);
  if ('re' in pattern) return `/${pattern.re}/`;
  return `any of [${pattern.any.map(describe).join(', ')}]`;
}

const asList = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Every way the replies of a turn fall short of the expectation (empty: it holds). */
export function check(expect: Expect, replies: Reply[], todayIso: string): string[] {
  const failures: string[] = [];
  const last = replies[replies.length - 1];
  if (!last) return ['no reply'];
  const text = normalize(replies.map((r) => r.text).join('\n'));
  const intents = asList(expect.intent);
  if (intents && !intents.includes(last.intent ?? '')) failures.push(`intent ${last.intent ?? '(none)'}, expected ${intents.join(' or ')}`);
  const slots = asList(expect.slot);
  if (slots) {
    const asked = last.slot ?? 'none';
    if (!slots.includes(asked)) failures.push(`slot asked: ${asked}, expected ${slots.join(' or ')}`);
  }
  for (const slot of expect.notSlot ?? []) if (replies.some((r) => r.slot === slot)) failures.push(`asked ${slot}, which it must not ask`);
  if (expect.candidates) {
    const offered = new Set(replies.flatMap((r) => r.candidates));
    const missing = expect.candidates.filter((c) => !offered.has(c));
    if (missing.length) failures.push(`candidates lack ${missing.join(', ')} (offered: ${[...offered].join(', ') || 'none'})`);
  }
  for (const p of expect.has ?? []) if (!matches(p, text, todayIso)) failures.push(`text lacks ${describe(p)}`);
  for (const p of expect.hasNot ?? []) if (matches(p, text, todayIso)) failures.push(`text has ${describe(p)}`);
  if (expect.handoff !== undefined && replies.some((r) => r.handoff) !== expect.handoff) failures.push(expect.handoff ? 'no handoff' : 'handed off');
  if (expect.anyOf) {
    const each = expect.anyOf.map((e) => check(e, replies, todayIso));
    if (each.every((f) => f.length > 0)) failures.push(`none of the alternatives holds (${each.map((f) => f.join(', ')).join(' | ')})`);
  }
  return failures;
}

// ---------- playing ----------

interface ActivityOut {
  type?: string;
  text?: string;
  channelData?: { intent?: unknown; slot?: unknown; candidates?: unknown; handoff?: unknown };
}

function candidateIds(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((c) => (typeof c === 'string' ? c : typeof c === 'object' && c && 'id' in c ? String((c as { id: unknown }).id) : '')).filter(Boolean);
}

function toReply(a: ActivityOut): Reply {
  const data = a.channelData ?? {};
  return {
    text: typeof a.text === 'string' ? a.text : '',
    intent: typeof data.intent === 'string' ? data.intent : undefined,
    slot: typeof data.slot === 'string' ? data.slot : undefined,
    candidates: candidateIds(data.candidates),
    handoff: data.handoff === true,
  };
}

/** One user message over the Bot Framework protocol; the replies come back in the HTTP response. */
export async function send(url: string, conversationId: string, text: string, lang: Conversation['lang']): Promise<Reply[]> {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(15_000),
    body: JSON.stringify({
      type: 'message',
      id: randomUUID(),
      channelId: 'emulator',
      serviceUrl: 'http://127.0.0.1:9',
      deliveryMode: 'expectReplies',
      from: { id: `user-${conversationId}` },
      recipient: { id: 'bot' },
      conversation: { id: conversationId },
      locale: lang === 'en' ? 'en-US' : lang === 'zh-Hant' ? 'zh-TW' : 'zh-CN',
      text,
    }),
  });
  if (!res.ok) throw new Error(`POST /api/messages answered ${res.status}`);
  const body = (await res.json()) as { activities?: ActivityOut[] };
  return (body.activities ?? []).filter((a) => a.type === undefined || a.type === 'message').map(toReply);
}

/** The message for an adaptive turn, from the slot the bot asked last; null: skip the turn; undefined: nothing fits. */
function chooseAnswer(answer: Record<string, string | null>, asked: string | undefined): string | null | undefined {
  const key = asked ?? 'none';
  if (key in answer) return answer[key];
  if (asked && 'other' in answer) return answer.other;
  return undefined;
}

export async function playConversation(url: string, conversation: Conversation, todayIso: string): Promise<ConversationResult> {
  const conversationId = `blind-${conversation.id}-${randomUUID().slice(0, 8)}`;
  const turns: TurnRecord[] = [];
  let lastSlot: string | undefined;
  for (const [i, turn] of conversation.turns.entries()) {
    let raw: string | null | undefined = turn.say;
    if (turn.answer) {
      raw = chooseAnswer(turn.answer, lastSlot);
      if (raw === undefined) {
        const reason = `the bot asked ${lastSlot ?? 'nothing'}, which this user has no answer for (${Object.keys(turn.answer).join(', ')})`;
        turns.push({ replies: [], failures: [reason] });
        return { id: conversation.id, file: conversation.file, passed: false, failedTurn: i + 1, reason, turns };
      }
      if (raw === null) {
        turns.push({ replies: [], failures: [] });
        continue;
      }
    }
    const text = renderText(raw as string, conversation.lang, todayIso);
    let replies: Reply[];
    try {
      replies = await send(url, conversationId, text, conversation.lang);
    } catch (err) {
      const reason = `request failed: ${(err as Error).message}`;
      turns.push({ sent: text, replies: [], failures: [reason] });
      return { id: conversation.id, file: conversation.file, passed: false, failedTurn: i + 1, reason, turns };
    }
    const failures = check(turn.expect, replies, todayIso);
    turns.push({ sent: text, replies, failures });
    if (failures.length) return { id: conversation.id, file: conversation.file, passed: false, failedTurn: i + 1, reason: failures.join('; '), turns };
    lastSlot = replies[replies.length - 1]?.slot;
  }
  return { id: conversation.id, file: conversation.file, passed: true, turns };
}

export interface PlayOptions {
  /** yyyy-mm-dd the bot takes as today (default: today in Asia/Shanghai, as the bot's clock). */
  today?: string;
  /** Conversations played at once (default 2). */
  concurrency?: number;
}

export async function playAll(url: string, conversations: Conversation[], options: PlayOptions = {}): Promise<ConversationResult[]> {
  const todayIso = options.today ?? chinaToday();
  const results: ConversationResult[] = new Array(conversations.length);
  let next = 0;
  const worker = async () => {
    while (next < conversations.length) {
      const i = next++;
      results[i] = await playConversation(url, conversations[i], todayIso);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return results;
}

function replyLine(reply: Reply, width: number): string {
  const meta = [reply.intent, reply.slot && `slot=${reply.slot}`, reply.candidates.length ? `candidates=${reply.candidates.join('|')}` : ''].filter(Boolean).join(' ');
  return `     bot [${meta}]: ${reply.text.replace(/\s+/g, ' ').slice(0, width)}`;
}

/**
 * One line per conversation, the first failing turn's exchange under a failure, and `N passed, M failed`;
 * verbose: every exchange of every conversation.
 */
export function report(results: ConversationResult[], conversations: Conversation[], verbose = false): string {
  const byId = new Map(conversations.map((c) => [c.id, c]));
  const lines: string[] = [];
  for (const r of results) {
    if (r.passed) {
      lines.push(`PASS ${r.id}`);
      if (verbose) {
        for (const [i, turn] of r.turns.entries()) {
          lines.push(`     ${i + 1}. user: ${turn.sent ?? '(skipped: nothing to answer)'}`);
          for (const reply of turn.replies) lines.push(replyLine(reply, 160));
        }
      }
      continue;
    }
    lines.push(`FAIL ${r.id} (turn ${r.failedTurn}): ${r.reason}`);
    const turn = r.turns[(r.failedTurn ?? 1) - 1];
    const conversation = byId.get(r.id);
    if (turn?.sent !== undefined) lines.push(`     user: ${turn.sent}`);
    for (const reply of turn?.replies ?? []) lines.push(replyLine(reply, 220));
    if (conversation?.note) lines.push(`     note: ${conversation.note}`);
  }
  const passed = results.filter((r) => r.passed).length;
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return lines.join('\n');
}
