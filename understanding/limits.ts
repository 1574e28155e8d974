import { validatedKnowledgeFile } from '../kb/validatedCache';

export interface MessageLimits {
  /** Longest message read; a longer one is told so (messageTooLong) instead of being read in part. */
  messageMaxLength: number;
}

let limits: MessageLimits | undefined;

/** knowledge/limits.yaml, validated against its schema once. */
export function messageLimits(): MessageLimits {
  limits ??= validatedKnowledgeFile<MessageLimits>('limits', 'limits.yaml', 'limits.schema.json');
  return limits;
}
