import type { NextFunction, Request, Response } from 'express';

const MAX_TEXT = 10_000;

/** Refuses with 400 what is not a Bot Framework activity, before the adapter or the bot sees it. */
export function validateIncomingActivity(req: Request, res: Response, next: NextFunction): void {
  const problem = activityProblem(req.body);
  if (problem) {
    res.status(400).json({ error: `invalid activity: ${problem}` });
    return;
  }
  next();
}

export function activityProblem(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body must be a JSON object';
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return 'type is required';
  if (!a.conversation || typeof a.conversation !== 'object' || typeof (a.conversation as { id?: unknown }).id !== 'string') return 'conversation.id is required';
  if (a.text !== undefined && a.text !== null && typeof a.text !== 'string') return 'text must be a string';
  if (typeof a.text === 'string' && a.text.length > MAX_TEXT) a.text = a.text.slice(0, MAX_TEXT);
  if (a.attachments !== undefined && !Array.isArray(a.attachments)) return 'attachments must be a list';
  if (a.from !== undefined && (typeof a.from !== 'object' || a.from === null)) return 'from must be an object';
  return undefined;
}
