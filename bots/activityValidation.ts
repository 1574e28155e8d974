import type { NextFunction, Request, Response } from 'express';

/** Longest message text a channel passes on; /api/messages cuts longer text, Direct Line and DingTalk refuse it. */
export const MAX_TEXT_LENGTH = 10_000;

/** Refuses with 400 what is not a Bot Framework activity, before the adapter or the bot sees it. */
export function validateIncomingActivity(req: Request, res: Response, next: NextFunction): void {
  const problem = activityProblem(req.body);
  if (problem) {
    res.status(400).json({ error: `invalid activity: ${problem}` });
    return;
  }
  next();
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

const isObject = (value: unknown): boolean => !!value && typeof value === 'object' && !Array.isArray(value);
const listOfObjects = (value: unknown): boolean => Array.isArray(value) && value.every(isObject);

export function activityProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'body must be a JSON object';
  if (nestsDeeperThan(body)) return `nesting deeper than ${MAX_NESTING} levels`;
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return 'type is required';
  if (!isObject(a.conversation) || typeof (a.conversation as { id?: unknown }).id !== 'string' || !(a.conversation as { id: string }).id) return 'conversation.id is required';
  if (a.text !== undefined && a.text !== null && typeof a.text !== 'string') return 'text must be a string';
  if (typeof a.text === 'string' && a.text.length > MAX_TEXT_LENGTH) a.text = a.text.slice(0, MAX_TEXT_LENGTH);
  if (a.attachments !== undefined && a.attachments !== null && !listOfObjects(a.attachments)) return 'attachments must be a list of objects';
  if (a.entities !== undefined && a.entities !== null && !listOfObjects(a.entities)) return 'entities must be a list of objects';
  if (a.membersAdded !== undefined && a.membersAdded !== null && !listOfObjects(a.membersAdded)) return 'membersAdded must be a list of objects';
  if (!isObject(a.from) || typeof (a.from as { id?: unknown }).id !== 'string') return 'from.id is required';
  if (a.recipient !== undefined && a.recipient !== null && !isObject(a.recipient)) return 'recipient must be an object';
  return undefined;
}
