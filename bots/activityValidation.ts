import Ajv from 'ajv';
import type { NextFunction, Request, Response } from 'express';
import { messageLimits } from '../understanding/limits';

/**
 * Longest message text a channel passes on: one character more than the longest message read
 * (knowledge/limits.yaml), so that the reading still sees a longer message is too long, and nothing reads more of it
 * (some detail searches cost more than linear time on long runs of text).
 */
export const MAX_PASSED_TEXT_LENGTH = messageLimits().messageMaxLength + 1;

/**
 * A message's text as every channel passes it on, cut before anything stores or reads it. A text over the limit
 * (trimmed, as the reading measures it) keeps its first characters and ends on a non-blank one, so that trimming
 * the cut text cannot bring it back under the limit: the customer is told the message is too long, on every channel.
 */
export function cutText(text: string): string {
  if (text.length < MAX_PASSED_TEXT_LENGTH) return text;
  const trimmed = text.trim();
  if (trimmed.length < MAX_PASSED_TEXT_LENGTH) return text;
  const kept = trimmed.slice(0, MAX_PASSED_TEXT_LENGTH - 1);
  const rest = trimmed.slice(MAX_PASSED_TEXT_LENGTH - 1);
  return kept + rest.charAt(rest.search(/\S/));
}

/** Deepest nesting of objects and arrays an activity may have: a deeper one overflows the stack when it is copied. */
export const MAX_NESTING = 32;

/** Whether a parsed JSON value nests deeper than `max` (checked without recursion, so it cannot overflow itself). */
export function nestsDeeperThan(value: unknown, max = MAX_NESTING): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

const text = (maxLength: number) => ({ type: 'string', maxLength });
const orNull = (schema: { type: string } & Record<string, unknown>) => ({ ...schema, type: [schema.type, 'null'] });
const account = { type: 'object', properties: { id: text(1024), name: text(1024), role: text(64), aadObjectId: text(256) } };
const idOnly = { type: 'object', properties: { id: text(1024) } };
const accounts = { type: 'array', maxItems: 100, items: { ...account, required: ['id'] } };

/**
 * Every field of an incoming activity that this bot or botbuilder reads, with the type it is read as. Fields nobody
 * reads are let through untouched; null is accepted where botbuilder treats it as absent.
 */
const ACTIVITY_SCHEMA = {
  type: 'object',
  required: ['type', 'conversation', 'from', 'recipient'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    id: text(1024),
    replyToId: text(1024),
    channelId: text(64),
    serviceUrl: text(2048),
    locale: text(64),
    localTimezone: text(64),
    textFormat: text(32),
    deliveryMode: text(32),
    name: text(256),
    callerId: text(1024),
    timestamp: text(64),
    localTimestamp: text(64),
    expiration: text(64),
    text: orNull({ type: 'string' }),
    conversation: {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 1024 }, name: text(1024), isGroup: { type: 'boolean' }, conversationType: text(64), tenantId: text(256) },
    },
    from: { ...account, required: ['id'] },
    recipient: { ...account, required: ['id'] },
    membersAdded: orNull(accounts),
    membersRemoved: orNull(accounts),
    attachments: orNull({
      type: 'array',
      maxItems: 20,
      items: { type: 'object', properties: { contentType: text(256), contentUrl: { type: 'string' }, name: text(1024), thumbnailUrl: text(2048) } },
    }),
    entities: orNull({ type: 'array', maxItems: 50, items: { type: 'object', properties: { type: text(256) } } }),
    channelData: orNull({
      type: 'object',
      properties: {
        context: { type: 'object', additionalProperties: text(256) },
        clientActivityID: text(256),
        tenant: idOnly,
        team: idOnly,
        channel: idOnly,
      },
    }),
    relatesTo: orNull({ type: 'object' }),
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: false }).compile(ACTIVITY_SCHEMA);
const DATE_FIELDS = ['timestamp', 'localTimestamp', 'expiration'] as const;

/** Why the body is not an activity this bot reads, or undefined; cuts a longer text (cutText). */
export function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body must be a JSON object';
  if (nestsDeeperThan(body)) return `nesting deeper than ${MAX_NESTING} levels`;
  if (!validate(body)) {
    const error = validate.errors?.[0];
    return `${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}`;
  }
  const a = body as unknown as Record<string, unknown>;
  for (const field of DATE_FIELDS) if (typeof a[field] === 'string' && Number.isNaN(Date.parse(a[field] as string))) return `/${field} must be a date`;
  if (typeof a.text === 'string') a.text = cutText(a.text);
  return undefined;
}

/** Refuses with 400 (a fixed body) what is not a Bot Framework activity, before the adapter or the bot sees it. */
export function validateIncomingActivity(req: Request, res: Response, next: NextFunction): void {
  if (activityProblem(req.body)) {
    res.status(400).json({ error: 'invalid activity' });
    return;
  }
  next();
}
