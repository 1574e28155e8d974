import { MAX_NESTING, nestsDeeperThan } from '../../bots/activityValidation';

/** Activity types a Direct Line client may post; the service, not the client, produces conversationUpdate and the rest. */
export const CLIENT_ACTIVITY_TYPES = ['message', 'event', 'typing', 'endOfConversation'] as const;

export const MAX_ATTACHMENTS = 10;
const MAX_URL_LENGTH = 2048;
const MAX_NAME_LENGTH = 256;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function optionalString(a: Record<string, unknown>, key: string, max: number): string | undefined {
  const value = a[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return `${key} must be a string`;
  if (value.length > max) return `${key} is longer than ${max} characters`;
  return undefined;
}

/** Why a posted body is not an activity this service accepts, or undefined when it is. */
export function clientActivityProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body must be a JSON object (an activity)';
  if (nestsDeeperThan(body)) return `nesting deeper than ${MAX_NESTING} levels`;
  const a = body;
  if (typeof a.type !== 'string' || !a.type) return 'type is required';
  if (!(CLIENT_ACTIVITY_TYPES as readonly string[]).includes(a.type)) return `type must be one of ${CLIENT_ACTIVITY_TYPES.join(', ')}`;
  // Text of any length within the body's byte cap: a longer one is cut (cutText) and answered as too long, not refused.
  const text = optionalString(a, 'text', Infinity);
  if (text) return text;
  if (a.textFormat !== undefined && !['plain', 'markdown', 'xml'].includes(a.textFormat as string)) return 'textFormat must be plain, markdown or xml';
  if (a.locale !== undefined && (typeof a.locale !== 'string' || !LOCALE.test(a.locale))) return 'locale must be a BCP 47 language tag such as zh-CN or en-US';
  const name = optionalString(a, 'name', MAX_NAME_LENGTH);
  if (name) return name;
  if (a.type === 'event' && (typeof a.name !== 'string' || !a.name)) return 'an event activity needs a name';
  if (a.from !== undefined && a.from !== null) {
    if (!isObject(a.from)) return 'from must be an object';
    const fromName = optionalString(a.from, 'name', MAX_NAME_LENGTH) ?? optionalString(a.from, 'id', MAX_NAME_LENGTH);
    if (fromName) return `from.${fromName}`;
  }
  if (a.channelData !== undefined && a.channelData !== null && !isObject(a.channelData)) return 'channelData must be an object';
  if (a.entities !== undefined && a.entities !== null && (!Array.isArray(a.entities) || !a.entities.every(isObject))) return 'entities must be a list of objects';
  const replyTo = optionalString(a, 'replyToId', MAX_NAME_LENGTH);
  if (replyTo) return replyTo;
  if (a.attachments !== undefined && a.attachments !== null) {
    if (!Array.isArray(a.attachments)) return 'attachments must be a list';
    if (a.attachments.length > MAX_ATTACHMENTS) return `at most ${MAX_ATTACHMENTS} attachments`;
    for (const [i, attachment] of a.attachments.entries()) {
      if (!isObject(attachment)) return `attachments[${i}] must be an object`;
      if (typeof attachment.contentType !== 'string' || !attachment.contentType) return `attachments[${i}].contentType is required`;
      const problem =
        optionalString(attachment, 'contentType', MAX_NAME_LENGTH) ??
        optionalString(attachment, 'contentUrl', MAX_URL_LENGTH) ??
        optionalString(attachment, 'thumbnailUrl', MAX_URL_LENGTH) ??
        optionalString(attachment, 'name', MAX_NAME_LENGTH);
      if (problem) return `attachments[${i}].${problem}`;
      // A web page cannot host a file for the bot, and a link it names would make the server fetch any address it likes.
      if (typeof attachment.contentUrl === 'string' && !/^data:/i.test(attachment.contentUrl)) return `attachments[${i}].contentUrl must be a data: URL (the file itself)`;
    }
  }
  return undefined;
}

/** A conversation start body ({ user?, locale? }); everything else in it is ignored. */
export function startProblem(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (!isObject(body)) return 'the body must be a JSON object';
  if (body.locale !== undefined && body.locale !== null && (typeof body.locale !== 'string' || !LOCALE.test(body.locale))) {
    return 'locale must be a BCP 47 language tag such as zh-CN or en-US';
  }
  return undefined;
}

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && LOCALE.test(value);
}
